/* Single devices driven far outside their range (docs/reliability.md, "Single devices"):
 * a source outside a circuit's supply or current-source range is refused before anything
 * runs; a device state far outside its class's domain, or a node voltage far outside a
 * circuit's node range, stops the drive after the segment that took it there; a CVODE
 * failure names the device, the source segment and the device current. The device keeps the
 * state it had before the failed call. Chunks run in-process. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "tests/scripting/lua_chunk.h"

TestSuite(device_ranges, .init = lua_chunk_open, .fini = lua_chunk_close, .timeout = 60);

#define PRELUDE "local memsnn = require('memsnn') "

/* The error message of a chunk that must fail at `line`. */
static const char *error_of(const char *chunk, int line)
{
    cr_assert_neq(run(chunk, 0), LUA_OK, "no error for:\n%s", chunk);
    const char *msg = lua_tostring(L, -1);
    char where[32];
    snprintf(where, sizeof where, "test:%d: ", line);
    cr_assert(strncmp(msg, where, strlen(where)) == 0, "message does not start with '%s': %s", where, msg);
    return msg + strlen(where);
}

Test(device_ranges, sources_outside_a_circuits_range_are_refused_before_running)
{
    expect_error(PRELUDE "local d = memsnn.device('mott_soma')\n"
                 "d:drive{ t = { 0, 1e-9, 1e-6 }, v = { 0, -1e4, -1e4 } }", 2,
                 "drive: mott_soma: v[2] = -10000 V is outside [-1000, 1000] V, the range of a supply in a "
                 "circuit; nothing was driven");
    expect_error(PRELUDE "local d = memsnn.device('resistor')\n"
                 "d:drive{ t = { 0, 1e-9, 1e-6 }, i = { 0, 0.5, 1.5 }, c_node = 1e-12 }", 2,
                 "drive: resistor: i[3] = 1.5 A is outside [-1, 1] A, the range of a current source in a circuit; "
                 "nothing was driven");
    expect_error(PRELUDE "local d = memsnn.device('rram')\n"
                 "d:sweep{ v_max = 1500, t_ramp = 1e-6 }", 2,
                 "sweep: rram: v_max = 1500 V is outside [-1000, 1000] V, the range of a supply in a circuit");
    expect_error(PRELUDE "local d = memsnn.device('rram')\n"
                 "d:sweep{ v_max = 1, v_min = -2000, t_ramp = 1e-6 }", 2,
                 "sweep: rram: v_min = -2000 V is outside [-1000, 1000] V");
    expect_error(PRELUDE "local d = memsnn.device('rram')\n"
                 "d:pulses{ v = 1500, width = 1e-7, n = 2 }", 2,
                 "pulses: rram: v = 1500 V is outside [-1000, 1000] V, the range of a supply in a circuit");
    expect_error(PRELUDE "local d = memsnn.device('rram')\n"
                 "d:program{ target = 1e-5, v_max = 2000 }", 2,
                 "program: rram: v_max = 2000 V is outside [-1000, 1000] V");
    expect_error(PRELUDE "local d = memsnn.device('mott_soma')\n"
                 "d:current_step{ i = -2, duration = 1e-6 }", 2,
                 "current_step: mott_soma: i = -2 A is outside [-1, 1] A, the range of a current source in a "
                 "circuit; nothing was driven");
    expect_error(PRELUDE "local d = memsnn.device('rram')\n"
                 "d:read{ v = 5000 }", 2, "read: rram: v = 5000 V is outside [-1000, 1000] V");
    /* nothing was driven: the device has no energy and its initial state */
    cr_assert_eq(num(PRELUDE "local d = memsnn.device('rram', { x0 = 0.25 }) "
                     "pcall(d.drive, d, { t = { 0, 1e-9 }, v = { 0, 2000 } }) "
                     "return d:energy().total + d:state().x"), 0.25);
    /* at the edge of the range a drive runs: 1 A into 1 kohm settles at 1000 V */
    cr_assert_float_eq(num(PRELUDE "local d = memsnn.device('resistor') "
                           "local r = d:drive{ t = { 0, 1e-9, 1e-6 }, i = { 0, 1, 1 }, c_node = 1e-12 } "
                           "return r.v[#r.v]"), 1000.0, 1e-6);
}

Test(device_ranges, start_values_outside_their_range_are_refused)
{
    expect_error(PRELUDE "local d = memsnn.device('rram')\nd:set_state{ x = 3 }", 2,
                 "set_state: rram: x = 3 is outside its domain [0, 1]");
    expect_error(PRELUDE "local d = memsnn.device('rram_pku')\nd:set_state{ gap = -1e-9 }", 2,
                 "set_state: rram_pku: gap = -1e-09 m is outside its domain [0, inf] m");
    expect_error(PRELUDE "local d = memsnn.device('mott_soma')\nd:set_state{ v = -5000 }", 2,
                 "set_state: v = -5000 V is outside [-1000, 1000] V, the range of a node voltage");
    expect_error(PRELUDE "local d = memsnn.device('mott_soma')\n"
                 "d:current_step{ i = 1e-5, duration = 1e-6, v0 = 2000 }", 2,
                 "current_step: v0 = 2000 V is outside [-1000, 1000] V, the range of a node voltage");
    /* the bounds themselves are inside */
    cr_assert_eq(num(PRELUDE "local d = memsnn.device('rram') d:set_state{ x = 1 } return d:state().x"), 1.0);
}

Test(device_ranges, a_state_far_outside_its_domain_stops_the_drive)
{
    /* +-900 V with tolerances of 0.1: the step overshoots the soft bound of x by 4e5; the
     * check after the first segment (the rise to 900 V) stops it. With the default
     * tolerances the same drive keeps x within 2e-8 of [0, 1] and passes. */
    const char *chunk = PRELUDE "local d = memsnn.device('rram')\n"
                        "local ok, e = pcall(d.drive, d, { t = { 0, 1e-9, 1e-6, 1.001e-6, 2e-6 },\n"
                        "  v = { 0, 900, 900, -900, -900 }, rtol = 0.1, atol = 0.1 })\n"
                        "assert(d:state().x == 0 and d:energy().total == 0, 'the device moved')\n"
                        "error(e)";
    const char *msg = error_of(chunk, 5);
    const char *head = "drive: rram: state x = ";
    cr_assert(strncmp(msg, head, strlen(head)) == 0, "%s", msg);
    double x = strtod(msg + strlen(head), NULL);
    cr_assert(x > 2.0 || x < -1.0, "x = %g is inside the widened domain", x);
    cr_assert(strstr(msg, " at t = 1e-09 s is far outside its domain [0, 1], after the voltage source went from "
                          "0 V to 900 V over t = 0 to 1e-09 s; the drive is stopped"), "%s", msg);
    cr_assert(num(PRELUDE "local d = memsnn.device('rram') "
                  "d:drive{ t = { 0, 1e-9, 1e-6, 1.001e-6, 2e-6 }, v = { 0, 900, 900, -900, -900 } } "
                  "return math.abs(d:state().x)") < 1e-7);
}

Test(device_ranges, a_node_voltage_far_outside_a_circuits_range_stops_the_drive)
{
    /* 1 A into the thermal neuristor: the node runs to 1280 V */
    expect_error(PRELUDE "local d = memsnn.device('mott_soma_thermal')\n"
                 "d:current_step{ i = 1, duration = 1e-6 }", 2,
                 "current_step: mott_soma_thermal: the node voltage v = 1279.9 V at t = 1e-06 s is far outside "
                 "[-1000, 1000] V, the range of a circuit's node, after the current source held 1 A over t = 1e-09 "
                 "to 1e-06 s; the drive is stopped");
    /* 0.6 A into 2 kohm: 1200 V at the end of the ramp */
    expect_error(PRELUDE "local d = memsnn.device('resistor', { R = 2000 })\n"
                 "d:drive{ t = { 0, 1e-9, 1e-6 }, i = { 0, 0.6, 0.6 }, c_node = 1e-12 }", 2,
                 "drive: resistor: the node voltage v = 1200 V at t = 1e-06 s is far outside [-1000, 1000] V");
}

Test(device_ranges, a_solver_failure_names_the_device_the_source_and_the_current)
{
    /* the static dendrite's exponential overflows towards 500 V */
    const char *msg = error_of(PRELUDE "local d = memsnn.device('dendrite_static')\n"
                               "d:drive{ t = { 0, 1e-9, 1e-6 }, v = { 0, 500, 500 } }", 2);
    cr_assert(strncmp(msg, "drive: dendrite_static: CVODE failed at t = ", 44) == 0, "%s", msg);
    cr_assert(strstr(msg, "CV_TOO_MUCH_WORK"), "%s", msg);
    cr_assert(strstr(msg, "; the device current i = "), "%s", msg);
    cr_assert(strstr(msg, "; while the voltage source went from 0 V to 500 V over t = 0 to 1e-09 s; state at t = "),
              "%s", msg);
    /* a device with a state: the state at failure is named with its unit */
    msg = error_of(PRELUDE "local d = memsnn.device('rram_pku')\n"
                   "d:drive{ t = { 0, 1e-9, 1e-6 }, v = { 0, 500, 500 } }", 2);
    cr_assert(strncmp(msg, "drive: rram_pku: CVODE failed at t = ", 37) == 0, "%s", msg);
    cr_assert(strstr(msg, "while the voltage source went from 0 V to 500 V"), "%s", msg);
    cr_assert(strstr(msg, " s: gap = 2.0008"), "%s", msg);
    cr_assert(strstr(msg, " m"), "%s", msg);
}
