/*
 * calibrate.h: `falconsim calibrate`: fit free costs to measured targets
 * with GSL's nonlinear least squares (see calibrate.c for the file format).
 */
#ifndef FALCONSIM_CALIBRATE_H
#define FALCONSIM_CALIBRATE_H

#include "sim_base.h"

#include <stdbool.h>

#define CAL_MAX_SEEDS 64 /* --seed-spread's most */

/* Fits, prints the fitted keys and the residual table on stdout, and
 * writes them to out_path (if not NULL) as a libconfig file. The runs of
 * each evaluation go on `jobs` threads (the result does not depend on it);
 * `starts` fits from different starting points keep the best (1: from the
 * scenario's values only); `seeds` (at most CAL_MAX_SEEDS; 0: none) runs
 * the fitted point again with that many other seeds and prints the range
 * of the sum of squares. */
int calibrate_run(const char *targets, const char *out_path, const char *const *sets,
                  size_t nsets, unsigned jobs, unsigned starts, unsigned seeds, bool quiet,
                  struct sim_err *err);

#endif
