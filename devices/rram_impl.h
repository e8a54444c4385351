/* devices/rram_impl.h: the non-ideality functions of "rram" (devices/rram_nonideal.c) that its
 * class table in devices/rram.c points to. */
#ifndef MEMSNN_DEVICES_RRAM_IMPL_H
#define MEMSNN_DEVICES_RRAM_IMPL_H

#include <stddef.h>

#include "devices/ms_device.h"

int msi_rram_sample(const double *nominal, double *p_dev, const ms_device_rng *rng, char *msg,
                    size_t len);
int msi_rram_pulse_noise(const double *p, const double *y_before, double *y,
                         const ms_device_rng *rng);
double msi_rram_read(double t, const double *y, const double *p, double v,
                     const ms_device_rng *rng);
int msi_rram_relax(const double *p, const double *y_prog, double t_since, double xi,
                   double *y_out);

#endif
