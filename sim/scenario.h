/*
 * scenario.h: scenario file (libconfig) -> validated struct sim_params.
 *
 * This is the only module that includes <libconfig.h>. It rejects unknown
 * keys, wrong types and out-of-range values with one line of the form
 *   FILE:LINE: error: 'key' must be in [lo, hi] (got v)
 * and applies --set KEY=VALUE overrides before validation, so an override
 * is checked exactly like a key in the file (and named "--set" in errors).
 *
 * Ownership: scenario_text strings are malloc'ed by scenario_load and freed
 * by scenario_text_free (NULL-safe fields).
 */
#ifndef FALCONSIM_SCENARIO_H
#define FALCONSIM_SCENARIO_H

#include "params.h"

struct scenario_text {
    char *path;      /* as given */
    char *raw;       /* the file exactly as read */
    char *effective; /* config_write() after @include and --set */
    char *resolved;  /* every key of the run (params_run_key) with its resolved value */
    char *notes;     /* warning lines for stderr ("--set: warning: ..."), or NULL */
};

/* Loads path (or, if path is NULL, the text in inline_text) and applies the
 * overrides ("KEY=VALUE" strings). Returns SIM_OK, SIM_ENOENT (file missing
 * or unreadable) or SIM_EINVAL (syntax or validation error). */
int scenario_load(const char *path, const char *inline_text, const char *const *sets,
                  size_t nsets, struct sim_params *out, struct scenario_text *text,
                  struct sim_err *err);

void scenario_text_free(struct scenario_text *text);

/* Writes keys (dotted, from the table) with numeric values as a libconfig
 * file of nested groups, after a comment header; for `falconsim calibrate`. */
int scenario_write_keys(const char *path, const char *header, const char *const *keys,
                        const double *values, size_t n, struct sim_err *err);

/* Fills p with every default (the table's def strings). */
void scenario_defaults(struct sim_params *p);

#endif
