/*
 * calibrate.h: `falconsim calibrate`: fit free costs to measured targets
 * with GSL's nonlinear least squares (see calibrate.c for the file format).
 */
#ifndef FALCONSIM_CALIBRATE_H
#define FALCONSIM_CALIBRATE_H

#include "sim_base.h"

#include <stdbool.h>

/* Fits, prints the fitted keys and the residual table on stdout, and
 * writes them to out_path (if not NULL) as a libconfig file. The runs of
 * each evaluation go on `jobs` threads (the result does not depend on it);
 * `starts` fits from different starting points keep the best (1: from the
 * scenario's values only). */
int calibrate_run(const char *targets, const char *out_path, const char *const *sets,
                  size_t nsets, unsigned jobs, unsigned starts, bool quiet, struct sim_err *err);

#endif
