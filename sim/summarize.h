/*
 * summarize.h: `falconsim summarize DIR`: a sweep's result files as one TSV
 * row per point, with means and 95 % confidence half-widths.
 */
#ifndef FALCONSIM_SUMMARIZE_H
#define FALCONSIM_SUMMARIZE_H

#include "sim_base.h"

#include <stdio.h>

/* Mean of x[0..n) in *mean; returns the 95 % confidence half-width
 * t(0.975, n - 1) * s / sqrt(n), or NaN when n < 2. */
double summarize_ci95(const double *x, size_t n, double *mean);

int summarize_dir(const char *dir, FILE *out, struct sim_err *err);
/* Several directories of one campaign (gathered from several hosts: a
 * result name found twice counts once); with index_path, also writes the
 * campaign index there (h5out_write_index). */
int summarize_dirs(const char *const *dirs, size_t ndirs, const char *index_path, FILE *out,
                   struct sim_err *err);

#endif
