/* core/ode_rosenbrock.h: the Rosenbrock integrator behind core/ms_ode.h (spec.method =
 * MS_ODE_ROSENBROCK). Internal to core/: ms_ode forwards to these functions, whose
 * contracts are those of the ms_ode_ functions of the same names. */
#ifndef MEMSNN_CORE_ODE_ROSENBROCK_H
#define MEMSNN_CORE_ODE_ROSENBROCK_H

#include "core/ms_ode.h"

typedef struct msi_ros msi_ros;

ms_status msi_ros_create(const ms_ode_spec *spec, double t0, const double *y0, msi_ros **out, ms_error *err);
void msi_ros_destroy(msi_ros *r);
ms_status msi_ros_advance(msi_ros *r, double tout, double *t_reached, int *n_found, ms_error *err);
ms_status msi_ros_reinit(msi_ros *r, double t, ms_error *err);
ms_status msi_ros_set_stop_time(msi_ros *r, double t_stop, ms_error *err);
ms_status msi_ros_sample(msi_ros *r, double t, double *y_out, ms_error *err);
int msi_ros_failed_component(const msi_ros *r);
double msi_ros_failed_time(const msi_ros *r);
const int *msi_ros_roots_found(const msi_ros *r);
double *msi_ros_state(msi_ros *r);
double msi_ros_time(const msi_ros *r);
const double *msi_ros_quad(msi_ros *r);
void msi_ros_get_stats(const msi_ros *r, ms_ode_stats *out);

#endif
