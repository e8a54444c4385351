/* tests/scripting/test_device_interrupt.c: Ctrl-C during one long single-device call (a
 * second of a spiking soma under d:current_step, minutes as one C call) stops it within a
 * moment with "current_step: interrupted at t = ... s; the device keeps its state before the
 * call", and the device's state and energy tally are those before the call. */
#include "scripting/cli_proc.h"

static void setup(void) { cli_setup("devint"); }

TestSuite(device_interrupt, .init = setup, .timeout = 60);

Test(device_interrupt, sigint_stops_a_long_current_step_and_keeps_the_state)
{
    cli_write("step.lua",
              "local memsnn = require('memsnn')\nlocal u = memsnn.units\n"
              "local soma = memsnn.device('mott_soma')\n"
              "soma:current_step{ i = 50 * u.uA, duration = 20 * u.us }\n"   /* a state that is not the initial one */
              "local s0, e0 = soma:state(), soma:energy().total\n"
              "io.open('started', 'w'):close()\n"
              "local ok, err = pcall(function() soma:current_step{ i = 50 * u.uA, duration = 1 } end)\n"
              "local s1, same = soma:state(), soma:energy().total == e0\n"
              "for k, v in pairs(s0) do same = same and s1[k] == v end\n"
              "print(ok and 'not interrupted' or (same and 'state kept' or 'state changed'))\n"
              "io.stdout:flush()\n"
              "error(err, 0)\n");
    pid_t pid = cli_spawn_v(0, CLI_ARGS("run", "step.lua", "--out", "res", "--quiet"));
    double t0 = cli_now();
    while (!cli_exists("started")) {
        cr_assert_lt(cli_now() - t0, 30.0, "the script did not reach the long call in 30 s");
        nanosleep(&(struct timespec){ 0, 2000000 }, NULL); /* 2 ms */
    }
    nanosleep(&(struct timespec){ 0, 300000000 }, NULL);   /* 0.3 s into the call */
    double t_sig = cli_now();
    kill(pid, SIGINT);
    cli_result r;
    cli_wait(pid, &r);
    double waited = cli_now() - t_sig;
    cr_assert_eq(r.status, 1, "exit %d: %s", r.status, r.err);
    cr_expect(strstr(r.err, "step.lua:7: current_step: interrupted at t = "), "%s", r.err);
    cr_expect(strstr(r.err, " s; the device keeps its state before the call"), "%s", r.err);
    cr_expect(strstr(r.out, "state kept"), "%s", r.out);
    cr_expect_lt(waited, 5.0, "the call went on for %.1f s after SIGINT", waited);
}
