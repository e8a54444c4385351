/* tests/fuzz/fuzz_device_params.c: libFuzzer harness over the device parameter setters
 * (devices/params.c) and, behind them, every device class's functions.
 *
 * The input picks a registered class, then sets parameters by name (known names, unknown
 * ones, no name) to any double (NaN, infinities, huge, negative), with message buffers of any
 * size down to none; then checks the set, draws device-to-device variation from random
 * numbers the input supplies, and evaluates the class's functions at states and voltages
 * from the input. Findings are crashes and sanitizer reports, and these broken promises
 * (devices/ms_device.h), each an abort:
 *   - ms_device_param_set accepts a value only if it is finite, inside [min, max] and an
 *     integer where one is required, and changes nothing when it refuses;
 *   - a message is a NUL-terminated string inside its buffer;
 *   - parameters that pass ms_device_check (or come out of ms_device_sample) give a finite
 *     initial state, and at that state and 0 V a finite current, power and state derivative;
 *   - with such parameters, any state, time and voltage (NaN included: an integrator tries
 *     anything during a failing step) is no crash and no undefined behaviour.
 * Far from 0 V a device may
 * overflow (dendrite_static's exp(alpha v / V_max) does above about
 * 700 / alpha V_max): what a drive does then is the integrator's business, so other voltages
 * are only checked for crashes and undefined behaviour. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/ms_device.h"
#include "fuzz/fuzz_input.h"

/* What the failing call saw, printed with the finding. */
static const double *g_p, *g_y;
static double g_v;

static void fail(const ms_device_class *c, const char *what)
{
    fprintf(stderr, "fuzz_device_params: %s: %s\n", c->name, what);
    for (size_t k = 0; g_p && k < c->n_params; k++)
        if (memcmp(&g_p[k], &c->params[k].def, sizeof g_p[k]) != 0)
            fprintf(stderr, "  %s = %.17g %s (default %g)\n", c->params[k].name, g_p[k], c->params[k].unit, c->params[k].def);
    for (size_t k = 0; g_y && k < c->n_state; k++) fprintf(stderr, "  state %s = %.17g\n", c->state_names[k], g_y[k]);
    fprintf(stderr, "  v = %.17g V\n", g_v);
    abort();
}

/* Random numbers from the input: uniform in [0, 1), normal in [-8, 8). */
static double rng_uniform(void *ud) { return fz_u8(ud) / 256.0; }
static double rng_normal(void *ud) { return (int8_t)fz_u8(ud) / 16.0; }

/* A message buffer of the input's size (0: none), allocated exactly so that a write past
 * its end is a sanitizer report. */
static char *new_msg(fz_input *in, size_t *len)
{
    *len = fz_u8(in) % 160;
    if (*len == 0) return NULL;
    char *m = malloc(*len);
    memset(m, 'x', *len);
    return m;
}

static void check_msg(const ms_device_class *c, const char *msg, size_t len, int rc)
{
    if (!msg || rc == MS_DEV_OK) return;
    if (!memchr(msg, '\0', len)) fail(c, "a message is not NUL-terminated inside its buffer");
}

static int all_finite(const double *v, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (!isfinite(v[k])) return 0;
    return 1;
}

static void set_params(const ms_device_class *c, double *p, fz_input *in)
{
    int n_set = (int)(fz_u8(in) % 8);
    for (int k = 0; k < n_set; k++) {
        unsigned pick = fz_u8(in) % (unsigned)(c->n_params + 2);
        char raw[17];
        const char *name;
        if (pick < c->n_params) {
            name = c->params[pick].name;
        } else if (pick == c->n_params) {
            size_t n = fz_u8(in) % 16;
            for (size_t j = 0; j < n; j++) raw[j] = (char)(fz_u8(in) | 1);
            raw[n] = '\0';
            name = raw;
        } else {
            name = NULL;
        }
        double value = fz_number(in);
        double before[MS_DEVICE_MAX_PARAMS];
        memcpy(before, p, c->n_params * sizeof *p);
        size_t len;
        char *msg = new_msg(in, &len);
        int rc = ms_device_param_set(c, p, name, value, msg, len);
        check_msg(c, msg, len, rc);
        free(msg);
        int i = ms_device_param_index(c, name);
        if (rc == MS_DEV_OK) {
            if (i < 0) fail(c, "set accepted an unknown name");
            const ms_param_desc *d = &c->params[i];
            if (!isfinite(value) || value < d->min || value > d->max || (d->integer && value != floor(value)))
                fail(c, "set accepted a value outside its range");
            if (memcmp(&p[i], &value, sizeof value) != 0) fail(c, "set did not store the value");
        } else if (memcmp(before, p, c->n_params * sizeof *p) != 0) {
            fail(c, "a refused set changed the parameters");
        }
    }
}

/* The class's functions at state y and voltage v; with `strict`, results must be finite. */
static void evaluate(const ms_device_class *c, const double *p, const double *y0, fz_input *in, int strict)
{
    double y[MS_DEVICE_MAX_STATE], ydot[MS_DEVICE_MAX_STATE], J[MS_DEVICE_MAX_STATE * MS_DEVICE_MAX_STATE];
    double g[MS_DEVICE_MAX_ROOTS], d[MS_DEVICE_MAX_STATE];
    memcpy(y, y0, c->n_state * sizeof *y);
    double t = strict ? 0 : fz_number(in);
    double v = strict ? 0 : fz_number(in);
    if (!strict && c->n_state && fz_u8(in) % 2) y[fz_u8(in) % c->n_state] = fz_number(in);
    ms_device_rng rng = { rng_uniform, rng_normal, in };
    g_p = p, g_y = y, g_v = v;

    if (c->rhs && c->n_state) {
        int rc = c->rhs(t, y, p, v, ydot);
        if (strict && rc == 0 && !all_finite(ydot, c->n_state)) fail(c, "a non-finite state derivative");
    }
    if (c->jac && c->n_state) c->jac(t, y, p, v, J);
    if (c->current) {
        double i = c->current(t, y, p, v);
        if (strict && !isfinite(i)) fail(c, "a non-finite current");
    }
    if (c->dcurrent_dv) c->dcurrent_dv(t, y, p, v);
    if (c->power) {
        double w = c->power(t, y, p, v);
        if (strict && !isfinite(w)) fail(c, "a non-finite power");
    }
    if (c->conductance) c->conductance(y, p);
    if (c->capacitance) c->capacitance(p);
    if (c->dcurrent_dy) c->dcurrent_dy(t, y, p, v, d);
    if (c->drhs_dv) c->drhs_dv(t, y, p, v, d);
    if (c->roots && c->n_roots) c->roots(t, y, p, v, g);
    if (c->read) c->read(t, y, p, v, &rng);
    if (c->on_root && c->n_roots) c->on_root(t, (int)(fz_u8(in) % c->n_roots), y, p);
    if (c->pulse_noise && c->n_state) {
        double after[MS_DEVICE_MAX_STATE];
        memcpy(after, y, c->n_state * sizeof *y);
        c->pulse_noise(p, y0, after, &rng);
    }
    if (c->relax && c->n_state) {
        double out[MS_DEVICE_MAX_STATE];
        c->relax(p, y, fz_number(in), fz_number(in), out);
    }
    g_y = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_input in = { data, size };
    size_t n_classes = ms_device_count();
    if (n_classes == 0) return 0;
    const ms_device_class *c = ms_device_at(fz_u8(&in) % n_classes);
    double p[MS_DEVICE_MAX_PARAMS], p_dev[MS_DEVICE_MAX_PARAMS], y[MS_DEVICE_MAX_STATE];
    ms_device_defaults(c, p);
    set_params(c, p, &in);

    size_t len;
    char *msg = new_msg(&in, &len);
    int ok = ms_device_check(c, p, msg, len) == MS_DEV_OK;
    check_msg(c, msg, len, ok ? MS_DEV_OK : MS_DEV_EINVAL);
    if (ok) {
        ms_device_rng rng = { rng_uniform, rng_normal, &in };
        int rc = ms_device_sample(c, p, p_dev, fz_u8(&in) % 4 ? &rng : NULL, msg, len);
        check_msg(c, msg, len, rc);
        if (rc == MS_DEV_OK && ms_device_check(c, p_dev, NULL, 0) != MS_DEV_OK)
            fail(c, "sample returned parameters that fail the check");
        if (rc != MS_DEV_OK) memcpy(p_dev, p, c->n_params * sizeof *p);
    }
    free(msg);
    if (ok && c->init) {
        memset(y, 0, sizeof y);
        g_p = p_dev, g_y = y, g_v = 0;
        if (c->init(p_dev, y) != 0) fail(c, "init refused checked parameters");
        if (!all_finite(y, c->n_state)) fail(c, "a non-finite initial state");
        evaluate(c, p_dev, y, &in, 1);
    }
    /* checked parameters, any state, time and voltage (an integrator tries any of them during
     * a failing step): no crash and no undefined behaviour */
    if (ok && c->init) evaluate(c, p_dev, y, &in, 0);
    g_p = g_y = NULL;
    return 0;
}
