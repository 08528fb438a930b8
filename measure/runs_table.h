/*
 * runs_table.h: a measured file (runs.tsv of `falconsim measure`, or any TSV
 * with a header row) read into memory, cells found by column name.
 *
 * The file is read whole; every line after the header must have as many
 * tab-separated fields as the header. Errors name the file and line (and the
 * column where one is missing), so a file edited by hand or measured by
 * another tool gets one clear message. Ownership: runs_table_load fills a
 * caller's struct; runs_table_free releases it (NULL-safe on a zeroed one).
 */
#ifndef FALCONSIM_RUNS_TABLE_H
#define FALCONSIM_RUNS_TABLE_H

#include "sim_base.h"

#include <stdbool.h>

struct runs_table {
    char *path;
    char *text;      /* the file, with tabs and newlines cut to NULs */
    unsigned ncols, nrows;
    char **names;    /* [ncols] */
    char **cells;    /* [nrows * ncols], row-major */
    unsigned *line;  /* [nrows]: the file line of each row, for messages */
};

int runs_table_load(const char *path, struct runs_table *t, struct sim_err *err);
/* arg is a file, or a directory holding `name` (a measurement's runs.tsv or
 * noise.tsv): loads that file. */
int runs_table_load_in(const char *arg, const char *name, struct runs_table *t,
                       struct sim_err *err);
void runs_table_free(struct runs_table *t);

/* The index of column `name`, or -1. */
int runs_table_col(const struct runs_table *t, const char *name);

/* Looks up every name in names[n] (NULL-terminated if n is 0); an absent one
 * is an error naming the file and the column. */
int runs_table_require(const struct runs_table *t, const char *const *names, int *idx,
                       struct sim_err *err);

static inline const char *runs_table_cell(const struct runs_table *t, unsigned row, int col)
{
    return t->cells[(size_t)row * t->ncols + (unsigned)col];
}

/* A cell as a number; an empty or non-numeric cell is an error naming the
 * file, line and column. */
int runs_table_number(const struct runs_table *t, unsigned row, int col, double *out,
                      struct sim_err *err);

#endif
