/* devices/device_impl.h: helpers shared by the device files (messages, small math); not part of
 * the public interface. Every class in devices/ is declared here for the registry. */
#ifndef MEMSNN_DEVICES_DEVICE_IMPL_H
#define MEMSNN_DEVICES_DEVICE_IMPL_H

#include <stddef.h>

#include "devices/ms_device.h"

/* Writes a formatted message into msg (if any) and returns code. */
int msi_dev_err(char *msg, size_t len, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(__printf__, 4, 5)))
#endif
    ;

/* Logistic function 1 / (1 + exp(-z)), safe for large |z|. */
double msi_dev_sigmoid(double z);
/* x clamped to [lo, hi]. */
double msi_dev_clamp(double x, double lo, double hi);
/* A lognormal factor exp(sigma * N(0,1)) with median 1; draws one normal whenever rng is set. */
double msi_dev_lognormal(const ms_device_rng *rng, double sigma);

/* The classes, one per file. */
extern const ms_device_class msi_dev_resistor;
extern const ms_device_class msi_dev_rram;
extern const ms_device_class msi_dev_rram_pku;
extern const ms_device_class msi_dev_nmda_dendrite;
extern const ms_device_class msi_dev_dendrite_static;
extern const ms_device_class msi_dev_dynamic_tiox;
extern const ms_device_class msi_dev_dynamic_wox;
extern const ms_device_class msi_dev_mott_soma;
extern const ms_device_class msi_dev_mott_soma_thermal;

/* The terminal functions of a device that conducts ohmically, I = G(y) v: current, its
 * slope and the dissipated power, all from the device's own conductance(y, p). Expands to
 * three static functions, ohmic_current, ohmic_dcurrent and ohmic_power, for the class
 * table. */
#define MSI_OHMIC_TERMINAL(conductance_fn)                                                  \
    static double ohmic_current(double t, const double *y, const double *p, double v)       \
    {                                                                                        \
        (void)t;                                                                             \
        return conductance_fn(y, p) * v;                                                     \
    }                                                                                        \
    static double ohmic_dcurrent(double t, const double *y, const double *p, double v)      \
    {                                                                                        \
        (void)t, (void)v;                                                                    \
        return conductance_fn(y, p);                                                         \
    }                                                                                        \
    static double ohmic_power(double t, const double *y, const double *p, double v)         \
    {                                                                                        \
        (void)t;                                                                             \
        return conductance_fn(y, p) * v * v;                                                 \
    }

#endif
