/* tests/viz/test_ticks.c: tick values are round and inside their range for ranges from 1e-9
 * to 1e3; log axes tick at decades; SI prefixes, time units and number formats read right. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "viz/ticks_impl.h"

/* v is "round": its shortest decimal form has few significant digits, and it is a whole
 * multiple of step. Catches 3 * 0.1 = 0.30000000000000004 as well as off-grid ticks. */
static void assert_round(double v, double step, double lo, double hi)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.6g", v);
    cr_assert(strtod(buf, NULL) == v, "tick %.17g is not a short decimal (%s)", v, buf);
    double k = v / step;
    cr_assert(fabs(k - round(k)) < 1e-6, "tick %.17g is not a multiple of step %.17g", v, step);
    double slack = 1e-9 * (hi - lo);
    cr_assert(v >= lo - slack && v <= hi + slack, "tick %g outside [%g, %g]", v, lo, hi);
}

static int mantissa_ok(double step)
{
    double m = step / pow(10.0, floor(log10(step) + 1e-12));
    return fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 || fabs(m - 2.5) < 1e-9 ||
           fabs(m - 5) < 1e-9;
}

Test(ticks, nice_step_rounds_up_to_1_2_2p5_5)
{
    cr_expect(eq(dbl, msi_nice_step(0.13), 0.2));
    cr_expect(eq(dbl, msi_nice_step(0.21), 0.25));
    cr_expect(eq(dbl, msi_nice_step(0.3), 0.5));
    cr_expect(eq(dbl, msi_nice_step(0.6), 1.0));
    cr_expect(eq(dbl, msi_nice_step(7.0), 10.0));
    cr_expect(eq(dbl, msi_nice_step(1.0), 1.0));
    cr_expect(eq(dbl, msi_nice_step(1.1e-9), 2e-9));
    cr_expect(eq(dbl, msi_nice_step(450.0), 500.0));
    cr_expect(eq(dbl, msi_nice_step_below(5.0), 2.5));
    cr_expect(eq(dbl, msi_nice_step_below(1e-3), 5e-4));
}

Test(ticks, linear_ticks_are_round_over_1e_minus9_to_1e3)
{
    static const double spans[] = {1.0, 1.5, 2.2, 3.0, 4.7, 7.3, 9.99};
    static const double starts[] = {0.0, 0.37, -0.5, 3.7, -12.9};
    int checked = 0;
    for (int e = -9; e <= 3; e++) {
        double unit = pow(10.0, e);
        for (size_t i = 0; i < sizeof spans / sizeof spans[0]; i++) {
            for (size_t j = 0; j < sizeof starts / sizeof starts[0]; j++) {
                for (int max = 2; max <= 12; max++) {
                    double lo = starts[j] * unit, hi = lo + spans[i] * unit;
                    msi_ticks t;
                    cr_assert(eq(int, msi_ticks_linear(lo, hi, max, 0, &t), 0));
                    cr_assert(t.n >= 1 && t.n <= max, "[%g, %g] max %d gave %d ticks", lo, hi,
                              max, t.n);
                    if (max >= 5)
                        cr_assert(t.n >= 2, "[%g, %g] max %d gave one tick", lo, hi, max);
                    cr_assert(mantissa_ok(t.step), "step %g is not 1, 2, 2.5 or 5 x 10^k",
                              t.step);
                    for (int k = 0; k < t.n; k++) {
                        assert_round(t.v[k], t.step, lo, hi);
                        if (k > 0)
                            cr_assert(fabs(t.v[k] - t.v[k - 1] - t.step) < 1e-9 * t.step);
                    }
                    checked++;
                }
            }
        }
    }
    cr_assert(checked > 1000);
}

Test(ticks, typical_axes_give_the_expected_ticks)
{
    msi_ticks t;
    msi_ticks_linear(0.0, 0.2, 6, 0, &t);   /* a 200 ms window, max 6 numbers */
    cr_assert(eq(int, t.n, 5));
    cr_expect(eq(dbl, t.v[0], 0.0));
    cr_expect(eq(dbl, t.v[1], 0.05));
    cr_expect(eq(dbl, t.v[4], 0.2));
    msi_ticks_linear(-0.07, -0.05, 5, 0, &t);  /* membrane potential in V */
    cr_assert(eq(int, t.n, 5));
    cr_expect(eq(dbl, t.v[0], -0.07));
    cr_expect(eq(dbl, t.v[1], -0.065));
    cr_expect(eq(dbl, t.v[4], -0.05));
    msi_ticks_linear(1e-9, 9e-9, 5, 0, &t);
    cr_expect(eq(dbl, t.step, 2e-9));
    cr_expect(eq(dbl, t.v[0], 2e-9));
}

Test(ticks, integer_axes_never_tick_between_units)
{
    msi_ticks t;
    msi_ticks_linear(-0.5, 2.5, 10, 1, &t);
    cr_assert(eq(int, t.n, 3));
    cr_expect(eq(dbl, t.v[0], 0.0));
    cr_expect(eq(dbl, t.v[2], 2.0));
    msi_ticks_linear(0.5, 1000.5, 8, 1, &t);
    for (int k = 0; k < t.n; k++)
        cr_expect(eq(dbl, t.v[k], round(t.v[k])));
    cr_expect(t.step >= 1.0 && t.step != 2.5);
}

Test(ticks, whole_numbers_are_recognised)
{
    cr_expect(msi_is_whole(0.0) && msi_is_whole(-3.0) && msi_is_whole(1e15));
    cr_expect(0 == msi_is_whole(2.5) && !msi_is_whole(0.1 * 3) && !msi_is_whole(NAN) &&
              !msi_is_whole(INFINITY));
}

Test(ticks, bad_ranges_are_refused)
{
    msi_ticks t;
    cr_expect(eq(int, msi_ticks_linear(1.0, 1.0, 5, 0, &t), -1));
    cr_expect(eq(int, msi_ticks_linear(2.0, 1.0, 5, 0, &t), -1));
    cr_expect(eq(int, msi_ticks_linear(NAN, 1.0, 5, 0, &t), -1));
    cr_expect(eq(int, msi_ticks_log(0.0, 1.0, 5, &t), -1));
    cr_expect(eq(int, msi_ticks_log(-1.0, 1.0, 5, &t), -1));
}

Test(ticks, log_ticks_sit_on_exact_decades)
{
    msi_ticks t;
    cr_assert(eq(int, msi_ticks_log(1e-9, 1e-3, 10, &t), 0));
    cr_assert(eq(int, t.n, 7));
    static const double want[] = {1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3};
    for (int k = 0; k < 7; k++)
        cr_expect(eq(dbl, t.v[k], want[k]), "tick %d: %.17g", k, t.v[k]);

    cr_assert(eq(int, msi_ticks_log(1e-12, 1e3, 6, &t), 0));  /* 16 decades, 6 numbers */
    cr_assert(eq(int, t.n, 6));
    cr_expect(eq(dbl, t.v[0], 1e-12));
    cr_expect(eq(dbl, t.v[5], 1e3));
    cr_expect(eq(int, t.n_minor, 0));

    cr_assert(eq(int, msi_ticks_log(1.0, 1000.0, 10, &t), 0));
    cr_expect(eq(int, t.n, 4));
    cr_expect(eq(int, t.n_minor, 24));  /* 2..9, 20..90, 200..900 */
    cr_expect(eq(dbl, t.minor[0], 2.0));
    cr_expect(eq(dbl, t.minor[23], 900.0));
}

Test(ticks, log_ticks_within_a_decade_fall_back_to_round_values)
{
    msi_ticks t;
    cr_assert(eq(int, msi_ticks_log(2e-6, 8e-6, 6, &t), 0));
    cr_assert(t.n >= 2);
    for (int k = 0; k < t.n; k++)
        assert_round(t.v[k], 1e-6, 2e-6, 8e-6);
}

Test(ticks, range_nice_widens_to_ticks)
{
    double lo = 0.0012, hi = 0.1987;
    msi_range_nice(&lo, &hi, 6);
    cr_expect(eq(dbl, lo, 0.0));
    cr_expect(eq(dbl, hi, 0.2));
    lo = -63e-3;
    hi = -51e-3;
    msi_range_nice(&lo, &hi, 6);
    cr_expect(lo <= -63e-3 && hi >= -51e-3);
    cr_expect(eq(dbl, lo, -0.065));  /* step 2.5 mV */
    cr_expect(eq(dbl, hi, -0.05));
}

Test(ticks, si_exponents_and_prefixes)
{
    cr_expect(eq(int, msi_si_exponent(0.07), -3));
    cr_expect(eq(int, msi_si_exponent(999.0), 0));
    cr_expect(eq(int, msi_si_exponent(1000.0), 3));
    cr_expect(eq(int, msi_si_exponent(1e-9), -9));
    cr_expect(eq(int, msi_si_exponent(1.5e-13), -15));
    cr_expect(eq(int, msi_si_exponent(1e-30), -18));  /* clamped to atto */
    cr_expect(eq(int, msi_si_exponent(0.0), 0));
    cr_expect(eq(str, (char *)msi_si_prefix(-6), "\xc2\xb5"));
    cr_expect(eq(str, (char *)msi_si_prefix(-12), "p"));
    cr_expect(eq(str, (char *)msi_si_prefix(0), ""));
}

Test(ticks, time_unit_follows_the_span)
{
    cr_expect(eq(int, msi_time_exponent(2e-3), -3));
    cr_expect(eq(int, msi_time_exponent(0.5), -3));
    cr_expect(eq(int, msi_time_exponent(1.0), 0));
    cr_expect(eq(int, msi_time_exponent(1e3), 0));
    cr_expect(eq(int, msi_time_exponent(2.5e-5), -6));
    cr_expect(eq(int, msi_time_exponent(1e-9), -9));
    cr_expect(eq(int, msi_time_exponent(5e-10), -9));
}

Test(ticks, numbers_format_cleanly)
{
    char b[64];
    msi_format_si(1.234e-9, "J", 3, b, sizeof b);
    cr_expect(eq(str, b, "1.23 nJ"));
    msi_format_si(1e-8, "A", 3, b, sizeof b);
    cr_expect(eq(str, b, "10 nA"));
    msi_format_si(999.96, "J", 3, b, sizeof b);
    cr_expect(eq(str, b, "1 kJ"));
    msi_format_si(0.0, "W", 3, b, sizeof b);
    cr_expect(eq(str, b, "0 W"));
    msi_format_si(-2.5e-3, "V", 3, b, sizeof b);
    cr_expect(eq(str, b, "-2.5 mV"));
    msi_format_si(4.56e-6, "A", 3, b, sizeof b);
    cr_expect(eq(str, b, "4.56 \xc2\xb5" "A"));

    msi_format_si(1e-21, "A", 3, b, sizeof b);  /* below atto: plain exponent */
    cr_expect(eq(str, b, "1e-21 A"));
    msi_format_si(2.2e-18, "A", 3, b, sizeof b);
    cr_expect(eq(str, b, "2.2 aA"));

    msi_format_fixed(-0.0001, 2, b, sizeof b);
    cr_expect(eq(str, b, "0.00"));
    msi_format_fixed(0.3 / 1e-3, 0, b, sizeof b);
    cr_expect(eq(str, b, "300"));
    cr_expect(eq(int, msi_decimals_for_step(0.5), 1));
    cr_expect(eq(int, msi_decimals_for_step(0.25), 2));
    cr_expect(eq(int, msi_decimals_for_step(20.0), 0));
    cr_expect(eq(int, msi_decimals_for_step(2e-4 / 1e-3), 1));

    msi_format_pow10(-9, b, sizeof b);
    cr_expect(eq(str, b, "10\xe2\x81\xbb\xe2\x81\xb9"));
    msi_format_pow10(12, b, sizeof b);
    cr_expect(eq(str, b, "10\xc2\xb9\xc2\xb2"));
    msi_format_pow10(0, b, sizeof b);
    cr_expect(eq(str, b, "1"));
}
