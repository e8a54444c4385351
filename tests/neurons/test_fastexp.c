/* The vectorisable exp used by fixed-step kernels, against libm. */
#define _XOPEN_SOURCE 700
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "neurons/ms_fastexp.h"

static double ulps(double a, double b)
{
    return fabs(a - b) / (nextafter(fabs(b), INFINITY) - fabs(b));
}

Test(fastexp, within_3_ulp_of_libm_over_the_whole_range)
{
    double worst = 0, at = 0;
    for (int k = 0; k <= 2000000; k++) {
        double x = -708.0 + 1417.0 * k / 2000000.0;
        double u = ulps(ms_fast_exp(x), exp(x));
        if (u > worst) worst = u, at = x;
    }
    cr_assert_leq(worst, 3.0, "worst error %.2f ulp at x = %.17g", worst, at);
}

Test(fastexp, exact_at_zero_and_simple_points)
{
    cr_assert_eq(ms_fast_exp(0.0), 1.0);
    cr_assert_leq(ulps(ms_fast_exp(1.0), M_E), 1.0);
    cr_assert_leq(ulps(ms_fast_exp(-1e-3), exp(-1e-3)), 1.0);
    cr_assert_leq(ulps(ms_fast_exp(-0.5), exp(-0.5)), 1.0);
}

Test(fastexp, clamps_instead_of_producing_garbage)
{
    cr_assert(ms_fast_exp(-1e6) >= 0 && ms_fast_exp(-1e6) < 1e-300);
    cr_assert(isfinite(ms_fast_exp(1e6)) && ms_fast_exp(1e6) > 1e300);
}
