/* devices/params.c: parameter descriptors shared by every device class: defaults, lookup by
 * name, range and cross-rule validation with messages that name the parameter, its unit and its
 * allowed range; variation sampling through the class. docs/devices/README.md. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "devices/device_impl.h"

int msi_dev_err(char *msg, size_t len, int code, const char *fmt, ...)
{
    if (msg && len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, len, fmt, ap);
        va_end(ap);
    }
    return code;
}

double msi_dev_sigmoid(double z)
{
    if (z >= 0) return 1.0 / (1.0 + exp(-z));
    double e = exp(z);
    return e / (1.0 + e);
}

double msi_dev_clamp(double x, double lo, double hi) { return x < lo ? lo : (x > hi ? hi : x); }

double msi_dev_lognormal(const ms_device_rng *rng, double sigma)
{
    if (!rng) return 1.0;
    double z = rng->normal(rng->ud);   /* drawn even for sigma = 0: streams stay aligned */
    return sigma > 0 ? exp(sigma * z) : 1.0;
}

void ms_device_defaults(const ms_device_class *c, double *p)
{
    for (size_t i = 0; i < c->n_params; i++) p[i] = c->params[i].def;
}

int ms_device_param_index(const ms_device_class *c, const char *name)
{
    if (!name) return -1;
    for (size_t i = 0; i < c->n_params; i++)
        if (strcmp(c->params[i].name, name) == 0) return (int)i;
    return -1;
}

int ms_device_param_validate(const ms_device_class *c, size_t i, double value, char *msg,
                             size_t len)
{
    const ms_param_desc *d = &c->params[i];
    if (!isfinite(value))
        return msi_dev_err(msg, len, MS_DEV_EINVAL,
                           "%s: parameter %s = %g %s is not a finite number (allowed [%g, %g])",
                           c->name, d->name, value, d->unit, d->min, d->max);
    if (value < d->min || value > d->max)
        return msi_dev_err(msg, len, MS_DEV_EINVAL, "%s: parameter %s = %g %s is outside [%g, %g]",
                           c->name, d->name, value, d->unit, d->min, d->max);
    if (d->integer && value != floor(value))
        return msi_dev_err(msg, len, MS_DEV_EINVAL,
                           "%s: parameter %s = %g must be an integer in [%g, %g]", c->name,
                           d->name, value, d->min, d->max);
    return MS_DEV_OK;
}

int ms_device_param_set(const ms_device_class *c, double *p, const char *name, double value,
                        char *msg, size_t len)
{
    int i = ms_device_param_index(c, name);
    if (i < 0) {
        int n = msi_dev_err(msg, len, 0, "%s: unknown parameter '%s'; known:", c->name,
                            name ? name : "(null)");
        (void)n;
        for (size_t k = 0; msg && k < c->n_params; k++) {
            size_t used = strlen(msg);
            if (used + 2 >= len) break;
            snprintf(msg + used, len - used, "%s %s", k ? "," : "", c->params[k].name);
        }
        return MS_DEV_ENOTFOUND;
    }
    int rc = ms_device_param_validate(c, (size_t)i, value, msg, len);
    if (rc) return rc;
    p[i] = value;
    return MS_DEV_OK;
}

int ms_device_check(const ms_device_class *c, const double *p, char *msg, size_t len)
{
    for (size_t i = 0; i < c->n_params; i++) {
        int rc = ms_device_param_validate(c, i, p[i], msg, len);
        if (rc) return rc;
    }
    return c->check ? c->check(p, msg, len) : MS_DEV_OK;
}

int ms_device_sample(const ms_device_class *c, const double *nominal, double *p_dev,
                     const ms_device_rng *rng, char *msg, size_t len)
{
    int rc = ms_device_check(c, nominal, msg, len);
    if (rc) return rc;
    if (!c->sample) {
        memcpy(p_dev, nominal, c->n_params * sizeof *p_dev);
        return MS_DEV_OK;
    }
    if (!rng || !rng->uniform || !rng->normal)
        return msi_dev_err(msg, len, MS_DEV_EINVAL, "%s: variation sampling needs a random stream",
                           c->name);
    rc = c->sample(nominal, p_dev, rng, msg, len);
    if (rc) return rc;
    return ms_device_check(c, p_dev, msg, len);
}

double ms_device_capacitance(const ms_device_class *c, const double *p)
{
    return c->capacitance ? c->capacitance(p) : 0.0;
}

const char *ms_param_origin_tag(ms_param_origin o)
{
    switch (o) {
    case MS_ORIGIN_SOURCE: return "[S]";
    case MS_ORIGIN_INFERRED: return "[I]";
    case MS_ORIGIN_REMEMBERED: return "[R]";
    case MS_ORIGIN_SEED: return "[B]";
    case MS_ORIGIN_NUMERICAL: return "[N]";
    }
    return "[?]";
}

int ms_param_is_proposal(const ms_param_desc *d) { return d->origin != MS_ORIGIN_SOURCE; }
