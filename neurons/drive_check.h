/* neurons/drive_check.h: the range checks of a single-device drive (neurons/device_drive.c),
 * the same promise a network's run keeps (core/check.c): a source outside the range a circuit
 * gives its sources is refused before anything runs; after each waveform segment every device
 * state must lie within its class's domain widened by its scale, a node voltage that is a
 * state within the node range widened by 1 V, and the device current must be finite;
 * otherwise the drive stops with a message that names the device, the state, its value and
 * unit, the time, the segment of the source that led there and the valid range. Nothing is
 * clamped (docs/reliability.md, "Single devices"). Not a public header. */
#ifndef MEMSNN_NEURONS_DRIVE_CHECK_H
#define MEMSNN_NEURONS_DRIVE_CHECK_H

#include <stddef.h>

#include "core/ms_status.h"
#include "devices/ms_device.h"
#include "neurons/ms_device_drive.h"

/* Every point of the waveform w of a `src` source within +-MS_NODE_V_RANGE_V (voltage) or
 * +-MS_SOURCE_I_RANGE_A (current). */
ms_status msi_drive_check_source(const ms_device_class *c, ms_drive_source src, const ms_pwl *w,
                                 ms_error *err);

/* Writes how the source of w acted on the segment that ends at point k, after `when`
 * ("after" the voltage source went from 0 V to 500 V over t = 0 to 1e-09 s; k = 0: "at the
 * start of the drive"). */
void msi_drive_segment_words(ms_drive_source src, const ms_pwl *w, size_t k, const char *when,
                             char *buf, size_t len);

/* The states y (n_state of class c), the node voltage V (checked against the node range when
 * `node`, the voltage across the device in any case) and the device current i_A at time t,
 * reached at the end of the segment `seg` (words of msi_drive_segment_words). */
ms_status msi_drive_check_state(const ms_device_class *c, const double *y, int node, double V,
                                double i_A, double t, const char *seg, ms_error *err);

/* "x = 0.5" or "gap = 2e-10 m": a value with its unit, the unit left out when it is "1". */
void msi_drive_value_words(const char *name, double value, const char *unit, char *buf,
                           size_t len);

#endif
