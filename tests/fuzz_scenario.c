/*
 * fuzz_scenario.c: a libFuzzer target for the scenario loader and the
 * --set parser (docs/testing.md, "Fuzzing").
 *
 * Input: scenario text. Every line of the form `//set KEY=VALUE` (a
 * comment to libconfig) is also passed as a --set override, in order, so
 * one input exercises both parsers and their interaction.
 *
 * Beyond "no crash, no leak, no undefined behaviour" (the sanitizers), each
 * input checks the loader's contract:
 *  - the status is SIM_OK or SIM_EINVAL/SIM_ENOENT, never anything else;
 *  - a failure carries one non-empty line of message;
 *  - a success's provenance re-creates it: every resolved `key = value;`
 *    line of the loaded parameters, applied as --set to an empty scenario,
 *    loads and resolves to the same text (what `falconsim` stores in
 *    /params is enough to rerun the run).
 * A broken contract aborts, which libFuzzer reports as a crash with the
 * input saved.
 *
 * Built only with clang (-DFALCONSIM_FUZZ=ON). @include and defaults
 * resolve against the working directory: tests/fuzz_run.sh runs it in
 * scenarios/, so the seed corpus's includes work.
 */
#include "scenario.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_SETS = 64 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void contract_failed(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_scenario: contract broken: %s\n%s\n", what, detail ? detail : "");
    abort();
}

/* Splits resolved text ("key = value;\n" per key) into --set strings
 * "key=value", in place. Returns the count. */
static size_t resolved_as_sets(char *resolved, char **sets, size_t cap)
{
    size_t n = 0;
    for (char *line = strtok(resolved, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        char *eq = strstr(line, " = ");
        size_t len = strlen(line);
        if (eq == NULL || len < 1 || line[len - 1] != ';')
            contract_failed("resolved line is not `key = value;`", line);
        if (n == cap)
            contract_failed("more resolved keys than the fuzzer expects", NULL);
        line[len - 1] = '\0';
        memmove(eq + 1, eq + 3, strlen(eq + 3) + 1);
        eq[0] = '=';
        sets[n++] = line;
    }
    return n;
}

static void check_round_trip(const char *resolved)
{
    size_t cap = 1; /* one per resolved line */
    for (const char *c = resolved; *c; c++)
        cap += *c == '\n';
    char **sets = calloc(cap, sizeof *sets);
    char *copy = strdup(resolved);
    if (sets == NULL || copy == NULL)
        abort();
    size_t n = resolved_as_sets(copy, sets, cap);

    struct sim_params again;
    struct scenario_text text;
    struct sim_err err = {{0}};
    int rc = scenario_load(NULL, "", (const char *const *)sets, n, &again, &text, &err);
    if (rc != SIM_OK)
        contract_failed("the resolved parameters do not load as --set", err.msg);
    if (strcmp(text.resolved, resolved) != 0)
        contract_failed("the resolved parameters resolve differently when reloaded", resolved);
    scenario_text_free(&text);
    free(copy);
    free(sets);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *input = malloc(size + 1);
    if (input == NULL)
        return 0;
    memcpy(input, data, size);
    input[size] = '\0';

    /* The --set lines point into a second copy, cut at each line's end. */
    char *lines = strdup(input);
    const char *sets[MAX_SETS];
    size_t nsets = 0;
    for (char *p = lines; p != NULL && *p != '\0' && nsets < MAX_SETS;) {
        char *end = strchr(p, '\n');
        if (end != NULL)
            *end = '\0';
        if (strncmp(p, "//set ", 6) == 0)
            sets[nsets++] = p + 6;
        p = end ? end + 1 : NULL;
    }

    struct sim_params params;
    struct scenario_text text;
    struct sim_err err = {{0}};
    int rc = scenario_load(NULL, input, sets, nsets, &params, &text, &err);
    if (rc == SIM_OK) {
        if (text.resolved == NULL)
            contract_failed("a loaded scenario has no resolved text", NULL);
        check_round_trip(text.resolved);
    } else if (rc == SIM_EINVAL || rc == SIM_ENOENT) {
        if (err.msg[0] == '\0')
            contract_failed("an error without a message", input);
        if (strchr(err.msg, '\n') != NULL)
            contract_failed("an error message of more than one line", err.msg);
    } else {
        char status[32];
        snprintf(status, sizeof status, "status %d", rc);
        contract_failed("the loader returned an unexpected status", status);
    }
    scenario_text_free(&text);
    free(lines);
    free(input);
    return 0;
}
