/*
 * h5out.h: one HDF5 file per run, written atomically.
 *
 * The file is written under PATH.partial.<pid> and renamed to PATH only
 * after H5Fclose succeeded, so a failed or killed run never leaves a
 * half-written result under PATH. The layout is documented in
 * docs/output.md; every numeric dataset carries a `units` attribute.
 */
#ifndef FALCONSIM_H5OUT_H
#define FALCONSIM_H5OUT_H

#include "model.h"
#include "scenario.h"

#include <signal.h>
#include <stdio.h>

struct h5out_run {
    const struct sim_params *p;
    const struct scenario_text *text;
    const struct model_results *r;
    const char *command_line;
    /* Set asynchronously by a signal handler: checked before the finished
     * file is renamed into place (h5out_write then removes it and returns
     * SIM_EINTR). NULL: never interrupted. */
    const volatile sig_atomic_t *interrupted;
};

/* Checks early that PATH is a new name or a regular file and that its
 * directory is writable (creating and removing a probe file), so a bad -o
 * fails before a long run. Removes the partial files (PATH.partial.PID) of
 * processes that no longer exist: a killed run's leftovers. */
int h5out_probe(const char *path, struct sim_err *err);

int h5out_write(const char *path, const struct h5out_run *run, struct sim_err *err);

/* What summarize needs of one result file: every /params attribute as
 * text and every numeric /summary attribute. Strings are malloc'ed;
 * h5out_run_info_free releases them. */
struct h5out_run_info {
    size_t nparams;
    char **param_key, **param_value;
    size_t nsummary;
    char **summary_key;
    double *summary_value;
};
int h5out_read_run(const char *file, struct h5out_run_info *info, struct sim_err *err);
void h5out_run_info_free(struct h5out_run_info *info);

/* A campaign index (falconsim summarize --index): one HDF5 file that opens
 * a whole study. /runs/<link_name[i]> is an external link to file[i]'s
 * root group (a path relative to the index's own directory); /table holds
 * one row per run: `file`, each text column (swept keys) and each numeric
 * column (/summary metrics). Written atomically like a result file. */
struct h5out_index {
    size_t nruns;
    const char *const *link_name, *const *file;
    size_t ntext;
    const char *const *text_name;
    const char *const *const *text_value; /* [ntext][nruns] */
    size_t nnum;
    const char *const *num_name;
    const double *const *num_value;       /* [nnum][nruns] */
};
int h5out_write_index(const char *path, const struct h5out_index *idx, struct sim_err *err);

/* falconsim export: TSV with a header row on out. */
int h5out_export(const char *file, const char *object, FILE *out, struct sim_err *err);

#endif
