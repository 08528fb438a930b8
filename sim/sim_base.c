/*
 * sim_base.c: error formatting, the assertion failure path and the
 * aborting allocators. Nothing here is on the hot path except the
 * (never taken) branch into sim_assert_failed.
 */
#include "sim_base.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void sim_format_number(char *buf, size_t len, double v, bool single)
{
    for (int digits = 6; digits <= 17; digits++) {
        snprintf(buf, len, "%.*g", digits, v);
        if (single ? strtof(buf, NULL) == (float)v : strtod(buf, NULL) == v)
            break;
    }
}

int sim_error(struct sim_err *err, int status, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        /* A message is one line: a control character quoted from the
         * user's input (a newline inside a string) is shown as '?'. */
        for (char *c = err->msg; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f)
                *c = '?';
    }
    return status;
}

static _Thread_local const sim_ns *assert_clock;
static _Thread_local const uint64_t *assert_events;

void sim_assert_set_clock(const sim_ns *now, const uint64_t *events)
{
    assert_clock = now;
    assert_events = events;
}

/* One function for every invariant failure, so a debugger can break here. */
_Noreturn void sim_assert_failed(const char *cond, const char *file, int line)
{
    fflush(stdout);
    if (assert_clock != NULL)
        fprintf(stderr,
                "falconsim: internal error: %s:%d: assertion '%s' failed at simulated time "
                "%lld ns (event %llu)\n",
                file, line, cond, (long long)*assert_clock,
                assert_events ? (unsigned long long)*assert_events : 0ULL);
    else
        fprintf(stderr, "falconsim: internal error: %s:%d: assertion '%s' failed\n", file, line,
                cond);
    abort();
}

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (p == NULL) {
        fprintf(stderr, "falconsim: out of memory allocating %zu bytes\n", size);
        abort();
    }
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (p == NULL) {
        fprintf(stderr, "falconsim: out of memory allocating %zu x %zu bytes\n", count, size);
        abort();
    }
    return p;
}

void *xmalloc_aligned(size_t alignment, size_t size)
{
    void *p = NULL;
    if (posix_memalign(&p, alignment, size ? size : 1) != 0) {
        fprintf(stderr, "falconsim: out of memory allocating %zu bytes\n", size);
        abort();
    }
    return p;
}

void xgrow(void *arr, size_t *cap, size_t n, size_t elem, size_t first)
{
    if (n < *cap)
        return;
    size_t ncap = *cap ? 2 * *cap : first;
    void *p = realloc(*(void **)arr, ncap * elem);
    if (p == NULL) {
        fprintf(stderr, "falconsim: out of memory allocating %zu x %zu bytes\n", ncap, elem);
        abort();
    }
    *(void **)arr = p;
    *cap = ncap;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = xmalloc(n);
    memcpy(p, s, n);
    return p;
}

int sim_output_path_check(const char *path, struct sim_err *err)
{
    struct stat st;
    if (lstat(path, &st) != 0 || S_ISREG(st.st_mode))
        return SIM_OK;
    return sim_error(err, SIM_ECANTCREAT,
                     "%s: error: exists and is not a regular file (%s): give a new name or "
                     "a regular file to replace",
                     path,
                     S_ISDIR(st.st_mode)    ? "a directory"
                     : S_ISLNK(st.st_mode)  ? "a symbolic link"
                     : S_ISFIFO(st.st_mode) ? "a FIFO"
                     : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
                                                                  : "a socket");
}
