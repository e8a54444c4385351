/* A drive stops when its interrupt callback says so (ms_drive_opts.interrupt, how scripting/
 * turns Ctrl-C into a clean stop): polled inside one long segment without samples (through the
 * right-hand side), at sample points and between pulses; the call returns MS_EINTR with
 * "interrupted at t = ... s", no result, and the state argument untouched. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "devices/ms_device.h"
#include "devices/ms_soma.h"
#include "neurons/ms_device_drive.h"

TestSuite(drive_interrupt, .timeout = 30);

/* Says stop at its `stop_at`-th poll (0: never); counts polls. */
typedef struct poller {
    long polls, stop_at;
} poller;

static int poll_cb(void *ud)
{
    poller *pl = ud;
    return ++pl->polls == pl->stop_at;
}

/* The time printed in "interrupted at t = <t> s". */
static double message_time(const char *msg)
{
    double t = NAN;
    const char *at = strstr(msg, "interrupted at t = ");
    cr_assert(at != NULL, "message '%s'", msg);
    cr_assert(sscanf(at, "interrupted at t = %lf s", &t) == 1, "message '%s'", msg);
    return t;
}

/* A 2 ms current step into the Mott soma without samples is one long segment full of spikes:
 * the polls come from the solver itself (right-hand-side evaluations and spike roots), and a
 * stop at the 50th ends the call early, without another poll. */
Test(drive_interrupt, a_long_segment_stops_inside_the_solver)
{
    const ms_device_class *c = ms_device_find("mott_soma");
    double p[MS_DEVICE_MAX_PARAMS];
    ms_device_defaults(c, p);
    double I = 50e-6, t[3] = { 0.0, 1e-9, 2e-3 }, x[3] = { 0.0, I, I };
    ms_pwl w = { 3, t, x };
    poller pl = { 0, 0 };
    ms_drive_opts o;
    ms_drive_opts_default(&o);
    o.source = MS_DRIVE_CURRENT;
    o.interrupt = poll_cb;
    o.interrupt_ud = &pl;
    ms_drive_result *r = NULL;
    ms_error e;
    cr_assert_eq(ms_device_drive(c, p, NULL, &w, &o, &r, &e), MS_OK, "%s", e.msg);
    long full = pl.polls;
    cr_assert_gt(full, 200, "only %ld polls in a run of %zu spikes", full, r->n_spikes);
    ms_drive_result_free(r);

    pl = (poller){ 0, 50 };
    r = (ms_drive_result *)&pl;   /* must come back NULL */
    cr_assert_eq(ms_device_drive(c, p, NULL, &w, &o, &r, &e), MS_EINTR, "%s", e.msg);
    cr_expect_null(r);
    cr_expect_eq(pl.polls, 50, "the drive polled again after the stop (%ld polls)", pl.polls);
    double ts = message_time(e.msg);
    cr_expect(ts > 0.0 && ts < 2e-3, "stopped at t = %g s", ts);
}

/* Pulses: the state argument keeps its value when the train is interrupted. */
Test(drive_interrupt, an_interrupted_pulse_train_leaves_the_state_alone)
{
    const ms_device_class *c = ms_device_find("rram");
    double p[MS_DEVICE_MAX_PARAMS], y[MS_DEVICE_MAX_STATE], y0[MS_DEVICE_MAX_STATE];
    ms_device_defaults(c, p);
    cr_assert_eq(c->init(p, y), 0);
    memcpy(y0, y, sizeof y);
    double G[21];
    ms_pulse pulse = { 1.5, 100e-9, 1e-6 };
    poller pl = { 0, 0 };
    ms_drive_opts o;
    ms_drive_opts_default(&o);
    o.interrupt = poll_cb;
    o.interrupt_ud = &pl;
    ms_error e;
    cr_assert_eq(ms_drive_pulse_train(c, p, y, &pulse, 20, &o, G, NULL, &e), MS_OK, "%s", e.msg);
    cr_assert(y[0] != y0[0], "20 SET pulses did not move the state");
    long full = pl.polls;
    cr_assert_gt(full, 40, "%ld polls for 20 pulses", full);

    memcpy(y, y0, sizeof y);
    pl = (poller){ 0, full / 2 };
    cr_assert_eq(ms_drive_pulse_train(c, p, y, &pulse, 20, &o, G, NULL, &e), MS_EINTR, "%s", e.msg);
    message_time(e.msg);
    for (size_t k = 0; k < c->n_state; k++) cr_expect_eq(y[k], y0[k], "state %zu changed", k);
}
