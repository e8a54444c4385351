/* scenarios/device_characterisation.lua through the memsnn binary: it exits 0 within seconds,
 * writes every CSV with its header and row count, and the PNGs when the build has memsnn.plot;
 * its summary shows the expected device behaviour. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/scripting/scenario_run.h"

TestSuite(device_scenario, .timeout = 120);

Test(device_scenario, runs_and_writes_every_output)
{
    const char *bin, *src;
    char out[1024], cmd[4096];
    scenario_folder("device-scenario", out, sizeof out, &bin, &src);
    int plots = build_has_plot(bin, out);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    snprintf(cmd, sizeof cmd, "'%s' run '%s/scenarios/device_characterisation.lua' --out '%s/out' --quiet "
             "> '%s/stdout.txt' 2> '%s/stderr.txt'", bin, src, out, out, out);
    int rc = sh(cmd);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    snprintf(cmd, sizeof cmd, "%s/stderr.txt", out);
    char *err = slurp(cmd);
    /* --quiet: no "memsnn: wrote" lines (a sanitizer build may add its own report). */
    int quiet = err && !strstr(err, "memsnn:");
    if (rc || !quiet) cr_log_error("stderr: %s", err ? err : "");
    free(err);
    cr_assert_eq(rc, 0, "exit %d", rc);
    cr_assert(quiet, "a --quiet run wrote memsnn messages to stderr");
    cr_log_info("device_characterisation: %.2f s, plots %s", secs, plots ? "on" : "off");
    cr_assert_lt(secs, 30, "the scenario must run in well under a minute (%.1f s)", secs);

    char o[1100];
    snprintf(o, sizeof o, "%s/out", out);
    check_csv(o, "iv_rram_pku.csv", "t,v,i,gap", 2001);
    check_csv(o, "iv_rram.csv", "t,v,i,x", 0);
    check_csv(o, "iv_dendrite.csv", "t,v,i,G", 0);
    check_csv(o, "iv_soma.csv", "t,v,i,s", 2001);
    check_csv(o, "pulse_curve.csv", "pulse,phase,G_nominal,G_noisy", 121);
    check_csv(o, "write_verify.csv", "target,G,pulses,converged", 8);
    check_csv(o, "write_verify_trace.csv", "pulse,G_read,v_pulse", 0);
    check_csv(o, "relaxation.csv", "t,G_mean,G_1,G_2,G_3,G_4,G_5,G_6,G_7,G_8", 71);
    check_csv(o, "soma_step.csv", "t,v,i,s", 0);
    check_csv(o, "soma_spikes.csv", "t", 18);
    check_csv(o, "soma_rate.csv", "i,rate", 8);
    check_csv(o, "energy.csv", "device,class,energy,source,duration", 7);
    const char *png[] = { "iv_rram_pku", "iv_rram", "iv_dendrite", "iv_soma", "pulse_curve", "write_verify",
                          "relaxation", "soma_step", "soma_rate", "energy" };
    check_pngs(o, png, sizeof png / sizeof png[0], plots);

    snprintf(cmd, sizeof cmd, "%s/stdout.txt", out);
    char *text = slurp(cmd);
    cr_assert_not_null(text);
    cr_assert(strstr(text, "mott_soma sweep: on at 1.000 V, off at 0.600 V"), "%s", text);
    cr_assert(strstr(text, "write-verify: 8 of 8 targets reached"), "%s", text);
    cr_assert(strstr(text, "mott_soma at 50 uA: 18 spikes in 200 us"), "%s", text);
    cr_assert(strstr(text, "rram pulses: G 2.00 -> 19.6"), "%s", text);
    free(text);
}
