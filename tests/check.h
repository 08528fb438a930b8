/*
 * check.h: the test harness. Typed checks print the expression, both
 * values, file and line; each test binary ends with the line
 *   N passed, N failed
 * that CI reads, and exits non-zero on any failure.
 */
#ifndef FALCONSIM_CHECK_H
#define FALCONSIM_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK_TRUE(c)                                                                      \
    do {                                                                                   \
        if (c)                                                                             \
            check_passed++;                                                                \
        else {                                                                             \
            check_failed++;                                                                \
            fprintf(stderr, "%s:%d: CHECK_TRUE(%s) failed\n", __FILE__, __LINE__, #c);      \
        }                                                                                  \
    } while (0)

#define CHECK_EQ_I64(a, b)                                                                 \
    do {                                                                                   \
        long long va_ = (long long)(a), vb_ = (long long)(b);                              \
        if (va_ == vb_)                                                                    \
            check_passed++;                                                                \
        else {                                                                             \
            check_failed++;                                                                \
            fprintf(stderr, "%s:%d: CHECK_EQ(%s, %s) failed: %lld != %lld\n", __FILE__,     \
                    __LINE__, #a, #b, va_, vb_);                                           \
        }                                                                                  \
    } while (0)

/* |a - b| <= tol */
#define CHECK_NEAR(a, b, tol)                                                              \
    do {                                                                                   \
        double va_ = (double)(a), vb_ = (double)(b), t_ = (double)(tol);                   \
        if (fabs(va_ - vb_) <= t_)                                                         \
            check_passed++;                                                                \
        else {                                                                             \
            check_failed++;                                                                \
            fprintf(stderr, "%s:%d: CHECK_NEAR(%s, %s, %s) failed: %.6g vs %.6g (tol %.3g)\n", \
                    __FILE__, __LINE__, #a, #b, #tol, va_, vb_, t_);                       \
        }                                                                                  \
    } while (0)

/* |a - b| <= rel * |b| */
#define CHECK_REL(a, b, rel)                                                               \
    do {                                                                                   \
        double va_ = (double)(a), vb_ = (double)(b), r_ = (double)(rel);                   \
        if (fabs(va_ - vb_) <= r_ * fabs(vb_))                                             \
            check_passed++;                                                                \
        else {                                                                             \
            check_failed++;                                                                \
            fprintf(stderr,                                                                \
                    "%s:%d: CHECK_REL(%s, %s, %s) failed: %.6g vs %.6g (off by %.2f%%)\n",  \
                    __FILE__, __LINE__, #a, #b, #rel, va_, vb_,                            \
                    vb_ != 0 ? 100 * fabs(va_ - vb_) / fabs(vb_) : (double)INFINITY);              \
        }                                                                                  \
    } while (0)

#define CHECK_STR_CONTAINS(hay, needle)                                                    \
    do {                                                                                   \
        const char *h_ = (hay), *n_ = (needle);                                            \
        if (h_ && strstr(h_, n_))                                                          \
            check_passed++;                                                                \
        else {                                                                             \
            check_failed++;                                                                \
            fprintf(stderr, "%s:%d: expected \"%s\" to contain \"%s\"\n", __FILE__,         \
                    __LINE__, h_ ? h_ : "(null)", n_);                                     \
        }                                                                                  \
    } while (0)

static inline int check_report(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
    return check_failed ? 1 : 0;
}

#endif
