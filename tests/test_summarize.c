/*
 * test_summarize.c: the confidence interval on a known sample.
 */
#include "check.h"
#include "summarize.h"

int main(void)
{
    /* {1..5}: mean 3, s = sqrt(2.5), t(0.975, 4) = 2.7764451052,
     * half-width = 2.7764451052 * 1.5811388301 / sqrt(5) = 1.9632432. */
    const double x[] = {1, 2, 3, 4, 5};
    double mean, hw = summarize_ci95(x, 5, &mean);
    CHECK_NEAR(mean, 3.0, 1e-12);
    CHECK_NEAR(hw, 1.9632432, 1e-6);
    /* two values: t(0.975, 1) = 12.7062047, s = |a - b| / sqrt(2) */
    const double y[] = {10, 12};
    hw = summarize_ci95(y, 2, &mean);
    CHECK_NEAR(mean, 11.0, 1e-12);
    CHECK_NEAR(hw, 12.7062047 * sqrt(2.0) / sqrt(2.0), 1e-5);
    /* one value: no interval */
    hw = summarize_ci95(x, 1, &mean);
    CHECK_NEAR(mean, 1.0, 0);
    CHECK_TRUE(isnan(hw));
    return check_report("test_summarize");
}
