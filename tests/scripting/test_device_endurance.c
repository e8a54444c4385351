/* d:endure{...} from Lua (scripting/l_device_endurance.c): the readouts every decade of cycles
 * with their columns, the device keeping its wear and its state, the calibrated headline
 * (analog cycles outlast full-window ones by more than 1e5 and are usable at 1e11), method 'ode'
 * (CVODE pulses) agreeing with the closed form, and bad input as errors at the script line that
 * name the value and the allowed range. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "scripting/l_util.h"
#include "scripting/ms_lua.h"
#include "tests/scripting/lua_chunk.h"

TestSuite(endure, .init = lua_chunk_open, .fini = lua_chunk_close, .timeout = 60);

#define DEV "local memsnn = require('memsnn') local d = memsnn.device('rram')\n"

Test(endure, readouts_every_decade_and_the_device_keeps_its_wear)
{
    /* 13 readouts: 0, 1, 10, ..., 1e10, then 3e10 (not a power of ten). */
    cr_assert_eq(num(DEV "local r = d:endure{ cycles = 3e10 } return #r.cycles"), 13);
    cr_assert_eq(num(DEV "local r = d:endure{ cycles = 3e10 } return r.cycles[13]"), 3e10);
    cr_assert_eq(num(DEV "local r = d:endure{ cycles = 3e10 } return r.cycles[12]"), 1e10);
    cr_assert_eq(num(DEV "local r = d:endure{ cycles = 3e10 } return #r.columns"), 13);
    /* The wear of the last readout is the device's, which a later call continues from. */
    cr_assert_eq(num(DEV "local r = d:endure{ cycles = 1e6 } return r.wear[#r.wear] - d:params().wear"), 0);
    cr_assert_gt(num(DEV "d:endure{ cycles = 1e6 } local r = d:endure{ cycles = 0 } return r.wear[1]"), 2000);
    /* The aged device is what the other protocols see: its window has shrunk (18 uS fresh). */
    double w = num(DEV "d:endure{ protocol = 'full', cycles = 1e6 }\n"
                   "local r = d:endure{ cycles = 0 } return r.G_max[1] - r.G_min[1]");
    cr_assert_float_eq(w, 0.502 * 18e-6, 0.002 * 18e-6, "window %g S", w);
    /* The analog cycle ends at the lower level: 25 % of the window. */
    cr_assert_float_eq(num(DEV "d:endure{ cycles = 10 } return d:state().x"), 0.25, 1e-6);
    /* Given readout points. */
    cr_assert_eq(num(DEV "local r = d:endure{ cycles = 500, readouts = { 3, 500 } } return r.cycles[1] + #r.cycles"), 5);
}

Test(endure, analog_cycles_outlast_full_window_ones_and_stay_usable_at_1e11)
{
    double la = num(DEV "return d:endure{ cycles = 1e13 }.lifetime");
    double lf = num(DEV "return d:endure{ protocol = 'full', cycles = 1e8 }.lifetime");
    cr_assert_geq(la / lf, 1e5, "analog %g vs full %g cycles", la, lf);
    cr_assert_eq(num(DEV "local r = d:endure{ cycles = 1e11 } return r.stuck[#r.stuck]"), 0);
    cr_assert_eq(num(DEV "local r = d:endure{ cycles = 1e11 } return r.lifetime == nil and 1 or 0"), 1);
    cr_assert_float_eq(num(DEV "return d:endure{ cycles = 0 }.v_set"), 1.1855, 1e-4);
    cr_assert_float_eq(num(DEV "return d:endure{ cycles = 0 }.v_reset"), -1.0399, 1e-4);
}

Test(endure, method_ode_integrates_every_pulse_and_agrees_with_the_closed_form)
{
    /* 10 full-window cycles explicitly: 20 pulses + 3 readouts of 32 + 4 probe pulses. */
    cr_assert_eq(num(DEV "return d:endure{ protocol = 'full', cycles = 10, block = 0, method = 'ode' }.pulses"), 128);
    cr_assert_eq(num(DEV "return d:endure{ cycles = 1, method = 'ode' }.method == 'ode' and 1 or 0"), 1);
    cr_assert_eq(num(DEV "return d:endure{ cycles = 1 }.method == 'exact' and 1 or 0"), 1);
    /* The wear of 10 cycles through CVODE within 1e-6 of the closed form's (measured 1.8e-8). */
    double r = num(DEV "local a = d:endure{ protocol = 'full', cycles = 10, block = 0, method = 'ode' }\n"
                   "local b = memsnn.device('rram'):endure{ protocol = 'full', cycles = 10, block = 0 }\n"
                   "return a.wear[#a.wear] / b.wear[#b.wear]");
    cr_assert_float_eq(r, 1.0, 1e-6, "ratio %.12g", r);
    /* A looser tolerance moves the result (the option reaches the solver). */
    double loose = num(DEV "local a = d:endure{ cycles = 2, block = 0, method = 'ode', rtol = 1e-3, atol = 1e-3 }\n"
                       "local b = memsnn.device('rram'):endure{ cycles = 2, block = 0 }\n"
                       "return math.abs(a.wear[#a.wear] / b.wear[#b.wear] - 1)");
    cr_assert_gt(loose, 1e-6, "rtol 1e-3: %g", loose);
}

Test(endure, bad_input_is_an_error_that_names_value_and_range)
{
    expect_error(DEV "d:endure{ cycles = 10, method = 'cvode' }", 2,
                 "endure: method = 'cvode' is unknown (expected 'exact', the closed-form pulse, or 'ode', CVODE)");
    expect_error(DEV "d:endure{ cycles = 10, rtol = 1e-6 }", 2, "endure: option rtol applies only to method = 'ode'");
    expect_error(DEV "d:endure{ cycles = 10, method = 'ode', rtol = 2 }", 2, "endure: rtol = 2 must be between 0 and 1 (exclusive)");
    expect_error(DEV "d:endure{ cycles = 1e6, block = 0, method = 'ode' }", 2,
                 "endure: explicit cycling (block = 0) with method = 'ode' of 1e+06 cycles integrates 2e+08 pulses; at "
                 "most 1e+07");
    expect_error(DEV "d:endure{ cycles = -1 }", 2, "endure: cycles = -1 must be a whole number in [0, 1e+15]");
    expect_error(DEV "d:endure{ cycles = 1.5 }", 2, "endure: cycles = 1.5 must be a whole number in [0, 1e+15]");
    expect_error(DEV "d:endure{ }", 2, "endure: option 'cycles' is required");
    expect_error(DEV "d:endure{ cycles = 10, protocol = 'fast' }", 2,
                 "endure: protocol = 'fast' is unknown (expected 'analog' or 'full')");
    expect_error(DEV "d:endure{ cycles = 10, n_p = 0 }", 2, "endure: n_p = 0 must be a whole number in [1, 1000000]");
    expect_error(DEV "d:endure{ cycles = 10, lo = 0.8, hi = 0.7 }", 2,
                 "endure: lo = 0.8 must be below hi = 0.7 (fractions of the window)");
    expect_error(DEV "d:endure{ cycles = 10, protocol = 'full', v_full = 0.5 }", 2,
                 "endure: endurance: v_full = 0.5 V must exceed both thresholds");
    expect_error(DEV "d:endure{ cycles = 1e8, block = 0 }", 2,
                 "endure: explicit cycling (block = 0) of 1e+08 cycles would take too long; at most 1e7");
    expect_error(DEV "d:endure{ cycles = 100, readouts = { 10, 1000 } }", 2,
                 "endure: readouts[2] = 1000 cycles must be a whole number in [0, cycles = 100]");
    expect_error(DEV "d:endure{ cycles = 100, readouts = 'hourly' }", 2,
                 "endure: readouts = 'hourly' is unknown (expected 'decades' or a list of cycle counts)");
    expect_error("local memsnn = require('memsnn') local d = memsnn.device('rram_pku')\nd:endure{ cycles = 1 }", 2,
                 "endure: rram_pku has no endurance law (only rram has one)");
}
