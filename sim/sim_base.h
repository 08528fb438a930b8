/*
 * sim_base.h: the few things every module needs.
 *
 * Simulated time is integer nanoseconds (sim_ns). Sums of small integer costs
 * never drift, equal times compare exactly, and the event order tie-break
 * (engine.h) is what decides who goes first.
 *
 * Three error tiers (style guide, practice 11):
 *   1. bad input  -> a negative status and a message in a caller's sim_err;
 *   2. a broken invariant -> SIM_ASSERT, which prints the condition, the
 *      source position and the current simulated time, then aborts;
 *   3. out of memory -> the x*alloc functions abort with the size requested.
 * Library code never calls exit(); only sim/main.c does.
 */
#ifndef FALCONSIM_SIM_BASE_H
#define FALCONSIM_SIM_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t sim_ns;

#define SIM_NS_PER_US INT64_C(1000)
#define SIM_NS_PER_MS INT64_C(1000000)
#define SIM_NS_PER_S  INT64_C(1000000000)
#define SIM_NS_MAX    INT64_MAX

/* A tier-1 error: one line, naming file:line and key where there is one. */
struct sim_err {
    char msg[512];
};

/* Status codes returned by functions that can fail on bad input. */
enum {
    SIM_OK = 0,
    SIM_EINVAL = -1,  /* bad scenario value or flag */
    SIM_ENOENT = -2,  /* missing input file */
    SIM_EIO = -3,     /* output could not be written */
    SIM_ECANTCREAT = -4,
    SIM_EINTR = -5,   /* stopped by a signal; nothing was written */
};

/* v as text in the fewest significant digits (from 6) that parse back to
 * the same value: as a float if single (a float32 dataset), else as a
 * double. len >= 32. Used wherever a number is written to be read back. */
void sim_format_number(char *buf, size_t len, double v, bool single);

/* Formats into err (if non-NULL) and returns status. The message is one
 * line: control characters (from quoted input) become '?'. */
int sim_error(struct sim_err *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* An output that is written whole and then renamed onto path (a result,
 * a profile, a table) may replace a regular file or take a new name; a
 * device, FIFO, symbolic link, directory or socket there is refused before
 * any work (rename would replace /dev/null with a file). Returns SIM_OK or
 * SIM_ECANTCREAT with "PATH: error: exists and is not a regular file (...)". */
int sim_output_path_check(const char *path, struct sim_err *err);

/* Tier 2. The clock pointer lets the failure message carry the simulated
 * time of the running engine; it is set by engine_run and is per thread. */
void sim_assert_set_clock(const sim_ns *now, const uint64_t *events);
_Noreturn void sim_assert_failed(const char *cond, const char *file, int line);
#define SIM_ASSERT(cond)                                                                 \
    do {                                                                                 \
        if (!(cond))                                                                     \
            sim_assert_failed(#cond, __FILE__, __LINE__);                                \
    } while (0)

/* Tier 3. Used at setup only: the hot path allocates nothing. */
void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xmalloc_aligned(size_t alignment, size_t size);
char *xstrdup(const char *s);
/* Makes room for element n of the array *arr (elem bytes each, capacity
 * *cap): doubles the capacity, from first, when n reaches it. */
void xgrow(void *arr, size_t *cap, size_t n, size_t elem, size_t first);

#define SIM_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
