/*
 * main.c: the command line. The only file that calls exit().
 *
 *   falconsim [run] SCENARIO.cfg [-o OUT.h5] [--set KEY=VALUE]... [--seed N]
 *             [--quiet] [--progress | --no-progress]
 *   falconsim check SCENARIO.cfg [--set KEY=VALUE]...
 *   falconsim export RUN.h5 [PATH]
 *   falconsim calibrate TARGETS.tsv [-o OUT.cfg] [--set KEY=VALUE]...
 *   falconsim summarize DIR... [--index INDEX.h5]
 *   falconsim measure [-o DIR] [options]   (the real-host kit; measure/measure.c)
 *   falconsim fit MEASURED -o PROFILE.cfg --base BASE.cfg [options]   (measure/host_rows.c)
 *   falconsim predict MEASURED PROFILE.cfg [options]
 *   falconsim --help | --help-keys[=markdown] | --version
 *
 * Exit codes are sysexits(3): 64 usage, 65 bad result file or PATH (export),
 * 66 missing input, 78 bad scenario,
 * 73 output not creatable, 74 write failed, 70 internal error, 129/130/143
 * when interrupted by SIGHUP/SIGINT/SIGTERM, in the simulation or while the
 * result is written (nothing is written then).
 */
#include "calibrate.h"
#include "h5out.h"
#include "host_rows.h"
#include "measure.h"
#include "summarize.h"
#include "model.h"
#include "policy.h"
#include "scenario.h"
#include "version.h"

#include <getopt.h>
#include <gsl/gsl_errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t g_signal;

static void on_signal(int sig) { g_signal = sig; }

static void usage_short(FILE *f)
{
    fprintf(f, "usage: falconsim [run] SCENARIO.cfg [-o OUT.h5] [--set KEY=VALUE]... [--seed N] "
               "[--quiet]\n"
               "       falconsim check SCENARIO.cfg [--set KEY=VALUE]... [--effective]\n"
               "       falconsim export RUN.h5 [PATH]\n"
               "       falconsim calibrate TARGETS.tsv [-o OUT.cfg] [--set KEY=VALUE]... [-j N]\n"
               "                           [--starts N] [--seed-spread K]\n"
               "       falconsim summarize DIR... [--index INDEX.h5]\n"
               "       falconsim measure [-o DIR] [--quick] [--dry-run] [--cleanup] [options]\n"
               "       falconsim fit MEASURED -o PROFILE.cfg --base BASE.cfg [options]\n"
               "       falconsim predict MEASURED PROFILE.cfg [-o OUT.tsv] [options]\n"
               "       falconsim --help | --help-keys[=markdown] | --version\n");
}

static void help(void)
{
    usage_short(stdout);
    printf("\n"
           "Simulates the Linux receive path of a container overlay network (NIC, NAPI and\n"
           "softirqs, RPS/RFS and other placement policies, VXLAN/bridge/veth stages, sockets\n"
           "and applications) and writes one HDF5 result file per run.\n"
           "\n"
           "Commands:\n"
           "  run SCENARIO.cfg     simulate (the default command); prints a summary table\n"
           "  check SCENARIO.cfg   validate the scenario and overrides, print resolved keys\n"
           "  export RUN.h5 [PATH] print a dataset or group as TSV with a header row;\n"
           "                       without PATH, list every dataset\n"
           "  summarize DIR...     one TSV row per point of a sweep's result files: swept\n"
           "                       keys, mean and 95 %% CI half-width of every summary metric;\n"
           "                       several DIRs: one campaign gathered from several hosts;\n"
           "                       --index FILE also writes an HDF5 index of every run\n"
           "  calibrate TARGETS.tsv fit free costs to measured targets (GSL nonlinear least\n"
           "                       squares); -o writes the fitted keys (docs/calibration.md)\n"
           "  measure              measure this machine's overlay receive path in network\n"
           "                       namespaces (root; falconsim measure --help, docs/measure.md)\n"
           "  fit MEASURED         fit a host profile to measured rows (falconsim fit --help)\n"
           "  predict MEASURED PROFILE  simulate every measured row under a profile, predicted\n"
           "                       against measured (falconsim predict --help)\n"
           "\n"
           "Options:\n"
           "  -o, --output FILE    result file (default: SCENARIO name + .h5 in the current\n"
           "                       directory): a new name or a regular file, replaced\n"
           "                       atomically once the run is complete\n"
           "  -s, --set KEY=VALUE  override a scenario key (repeatable); unknown keys are errors\n"
           "      --seed N         same as --set run.seed=N\n"
           "  -j, --jobs N         calibrate: runs in parallel (default: the online CPUs)\n"
           "      --starts N       calibrate: fit from N starting points and keep the best:\n"
           "                       the scenario's values, then a Halton sequence over the\n"
           "                       free keys' bounds (default 1)\n"
           "      --seed-spread K  calibrate: run the fitted point again with run.seed + 1..K\n"
           "                       and print the range of the sum of squares: the model's\n"
           "                       own noise in it (default none; K at most 64)\n"
           "  -q, --quiet          no summary table\n"
           "      --progress       progress on stderr even when it is not a terminal\n"
           "      --no-progress    never show progress (also FALCONSIM_PROGRESS=0)\n"
           "      --effective      check: print the scenario as one self-contained libconfig\n"
           "                       file instead (defaults and @include merged, --set applied,\n"
           "                       other policies' keys kept): a sweep's campaign.cfg\n"
           "      --help-keys      list every scenario key with default, range and unit\n"
           "                       (=markdown: the table of docs/scenarios.md)\n"
           "  -h, --help           this text\n"
           "  -V, --version        version and build\n"
           "\n"
           "Exit status: 0 ok, 64 usage, 65 bad result file or PATH (export), 66 missing\n"
           "input, 70 internal error, 73 cannot create output, 74 write error, 78 bad\n"
           "scenario, 129/130/143 interrupted by SIGHUP/SIGINT/SIGTERM (no result).\n"
           "Docs: docs/scenarios.md (keys), docs/output.md (HDF5 layout), docs/model.md.\n");
}

/* The allowed values of a key; `sep` joins enum names (markdown cannot
 * take '|' inside a table cell). */
static void range_text(const struct param_spec *s, const char *sep, char *buf, size_t len)
{
    switch (s->type) {
    case P_INT:
        snprintf(buf, len, "%.0f .. %.0f", s->min, s->max);
        break;
    case P_REAL:
        snprintf(buf, len, "%g .. %g", s->min, s->max);
        break;
    case P_DIST:
        snprintf(buf, len, "number (constant) or {dist, mean_ns, cv, min_ns, max_ns}");
        break;
    case P_ENUM: {
        size_t o = 0;
        buf[0] = '\0';
        for (int i = 0; s->names[i] && o < len; i++)
            o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? sep : "", s->names[i]);
        break;
    }
    case P_CPUS:
        if (s->max > s->min)
            snprintf(buf, len, "list of integers in [%.0f, %.0f]", s->min, s->max);
        else
            snprintf(buf, len, "list of CPU ids < host.cpus");
        break;
    case P_BOOL:
        snprintf(buf, len, "true%sfalse", sep);
        break;
    }
}

static void help_key_rows(const struct param_spec *keys, size_t n, bool markdown)
{
    char range[256];
    if (markdown) {
        printf("| key | default | unit | allowed | meaning and source |\n");
        printf("|---|---|---|---|---|\n");
    }
    for (size_t i = 0; i < n; i++) {
        const struct param_spec *s = &keys[i];
        range_text(s, markdown ? ", " : " | ", range, sizeof range);
        if (markdown)
            printf("| `%s` | `%s` | %s | %s | %s |\n", s->key, s->def, s->unit, range, s->help);
        else
            printf("%-34s default %-12s %-10s [%s]\n    %s\n", s->key, s->def, s->unit, range,
                   s->help);
    }
}

/* The core keys, then each policy's own, once per key table (the FALCON
 * variants share one). */
static void help_keys(bool markdown)
{
    help_key_rows(k_params, k_params_count, markdown);
    for (unsigned id = 0; id < policy_count(); id++) {
        const struct placement_policy_ops *ops = policy_at(id);
        bool seen = false;
        for (unsigned j = 0; j < id; j++)
            seen |= ops->nkeys > 0 && policy_at(j)->keys == ops->keys;
        if (ops->nkeys == 0 || seen)
            continue;
        printf(markdown ? "\n### Keys of policy " : "\n# keys of policy.name = ");
        for (unsigned j = id, k = 0; j < policy_count(); j++)
            if (policy_at(j)->keys == ops->keys)
                printf(markdown ? "%s`%s`" : "%s%s", k++ ? ", " : "", policy_at(j)->name);
        printf(markdown ? "\n\n" : " (no effect under another policy)\n");
        help_key_rows(ops->keys, ops->nkeys, markdown);
    }
}

static int exit_for(int status)
{
    switch (status) {
    case SIM_ENOENT: return EX_NOINPUT;
    case SIM_EINVAL: return EX_CONFIG;
    case SIM_ECANTCREAT: return EX_CANTCREAT;
    case SIM_EIO: return EX_IOERR;
    case SIM_EINTR: return 128 + (g_signal ? g_signal : SIGINT);
    default: return EX_SOFTWARE;
    }
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *default_output(const char *scenario)
{
    const char *base = strrchr(scenario, '/');
    base = base ? base + 1 : scenario;
    size_t n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".cfg") == 0)
        n -= 4;
    char *out = xmalloc(n + 4);
    memcpy(out, base, n);
    strcpy(out + n, ".h5");
    return out;
}

static char *join_argv(int argc, char **argv)
{
    size_t n = 1;
    for (int i = 0; i < argc; i++)
        n += strlen(argv[i]) + 1;
    char *s = xmalloc(n);
    s[0] = '\0';
    for (int i = 0; i < argc; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, argv[i]);
    }
    return s;
}

static void print_summary(const struct sim_params *p, const struct model_results *r,
                          double wall_s)
{
    const struct model_summary *s = &r->sum;
    printf("falconsim %s: policy %s, %s network, %u cpus, %lld flow(s), %.1f ms measured\n",
           FALCONSIM_VERSION, k_policy_names[p->policy.name],
           p->network.mode == NET_OVERLAY ? "overlay" : "host", r->ncpu,
           (long long)r->nflows, s->measured_s * 1e3);
    printf("  throughput     %12.1f msg/s   %9.3f Gbit/s   (offered %.1f msg/s)\n",
           s->throughput_pps, s->throughput_gbps, s->offered_pps);
    printf("  latency (us)   mean %.2f  p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  p99.99 %.2f\n",
           s->latency_mean_us, s->latency_p50_us, s->latency_p90_us, s->latency_p99_us,
           s->latency_p999_us, s->latency_p9999_us);
    if (p->sender.cpus.n > 0)
        printf("  from send (us) mean %.2f  p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f\n",
               s->send_latency_mean_us, s->send_latency_p50_us, s->send_latency_p90_us,
               s->send_latency_p99_us, s->send_latency_p999_us);
    if (p->workload.type == WL_RR)
        printf("  round trip (us) mean %.2f  p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f\n",
               s->rtt_mean_us, s->rtt_p50_us, s->rtt_p90_us, s->rtt_p99_us, s->rtt_p999_us);
    if (p->workload.probe_flows > 0 && p->workload.type == WL_STREAM)
        printf("  probes         %.1f msg/s   latency (us) mean %.2f  p50 %.2f  p90 %.2f  p99 "
               "%.2f  p99.9 %.2f   (bulk p50 %.2f  p99 %.2f)\n",
               s->probe_throughput_pps, s->probe_latency_mean_us, s->probe_latency_p50_us,
               s->probe_latency_p90_us, s->probe_latency_p99_us, s->probe_latency_p999_us,
               s->bulk_latency_p50_us, s->bulk_latency_p99_us);
    if (s->high_priority_frames > 0)
        printf("  high priority  %llu frames\n", (unsigned long long)s->high_priority_frames);
    printf("  drops          %llu (", (unsigned long long)s->drops);
    for (int d = 0; d < MODEL_DROP_PLACES; d++)
        printf("%s%s %llu", d ? ", " : "", k_drop_place_names[d],
               (unsigned long long)s->drops_by[d]);
    printf(")\n  reorders %llu", (unsigned long long)s->reorders);
    if (s->reorders_premerge > 0)
        printf(" (before the micro-flow merge %llu)", (unsigned long long)s->reorders_premerge);
    printf("   NET_RX %.0f/s   IPIs %.0f/s   busy cores %.2f\n", s->netrx_per_s, s->ipis_per_s,
           s->cpu_busy_cores);
    printf("  cpu ");
    for (unsigned k = 0; k < MODEL_CATS; k++)
        printf(" %7s", k_cpu_cat_names[k]);
    printf("  (%% of time)\n");
    for (unsigned i = 0; i < r->ncpu; i++) {
        const double *b = &r->busy_frac[i * MODEL_CATS];
        if (b[MODEL_CATS - 1] > 0.9995)
            continue;
        printf("  %3u ", i);
        for (unsigned k = 0; k < MODEL_CATS; k++)
            printf(" %7.1f", 100 * b[k]);
        printf("\n");
    }
    printf("  (idle CPUs not shown)  %llu events in %.2f s wall\n",
           (unsigned long long)s->events, wall_s);
}

/* An option's count in 1..max, or one error line and false. */
static bool option_count(const char *opt, const char *arg, long max, unsigned *out)
{
    char *end;
    long n = strtol(arg, &end, 10);
    if (*arg == '\0' || *end != '\0' || n < 1 || n > max) {
        fprintf(stderr, "falconsim: error: %s needs an integer in 1..%ld (got \"%s\")\n", opt, max,
                arg);
        return false;
    }
    *out = (unsigned)n;
    return true;
}

enum { OPT_SEED = 256, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_HELP_KEYS, OPT_EFFECTIVE, OPT_INDEX,
       OPT_STARTS, OPT_SEED_SPREAD };

/* Everything the command line allocates, released on every exit path. */
struct cli {
    const char **sets;
    const char **operands;
    char **owned;
    size_t nsets, nowned;
    char *out_owned;
    char *cmdline;
    struct model *model;
    struct scenario_text text;
};

static void cli_free(struct cli *c)
{
    free(c->operands);
    for (size_t i = 0; i < c->nowned; i++)
        free(c->owned[i]);
    free(c->owned);
    free(c->sets);
    free(c->out_owned);
    free(c->cmdline);
    model_destroy(c->model);
    scenario_text_free(&c->text);
}

static int cli_main(int argc, char **argv, struct cli *cl)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"set", required_argument, NULL, 's'},
        {"seed", required_argument, NULL, OPT_SEED},
        {"jobs", required_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},
        {"progress", no_argument, NULL, OPT_PROGRESS},
        {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
        {"effective", no_argument, NULL, OPT_EFFECTIVE},
        {"index", required_argument, NULL, OPT_INDEX},
        {"starts", required_argument, NULL, OPT_STARTS},
        {"seed-spread", required_argument, NULL, OPT_SEED_SPREAD},
        {"help-keys", optional_argument, NULL, OPT_HELP_KEYS},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    const char *out_path = NULL;
    const char **sets = cl->sets = xcalloc((size_t)argc + 1, sizeof *sets);
    char **owned = cl->owned = xcalloc((size_t)argc + 1, sizeof *owned);
    size_t nsets = 0;
    bool quiet = false, effective = false;
    const char *index_path = NULL;
    int progress = -1;
    const char *env = getenv("FALCONSIM_PROGRESS");
    if (env != NULL)
        progress = strcmp(env, "0") != 0;

    long online = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned jobs = online > 0 ? (unsigned)online : 1;
    unsigned starts = 1, seeds = 0;
    int c;
    /* GNU permutation: options may come before or after the operands. */
    while ((c = getopt_long(argc, argv, "o:s:j:qhV", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out_path = optarg; break;
        case 'j':
            if (!option_count("--jobs", optarg, 256, &jobs))
                return EX_USAGE;
            break;
        case 's': sets[nsets++] = optarg; break;
        case OPT_SEED: {
            char *end;
            errno = 0;
            long long seed = strtoll(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || errno != 0 || seed < 0) {
                fprintf(stderr,
                        "falconsim: error: --seed needs an integer of 0 or more (got \"%s\")\n",
                        optarg);
                return EX_USAGE;
            }
            size_t n = strlen(optarg) + 16;
            owned[cl->nowned] = xmalloc(n);
            snprintf(owned[cl->nowned], n, "run.seed=%s", optarg);
            sets[nsets++] = owned[cl->nowned++];
            break;
        }
        case 'q': quiet = true; break;
        case OPT_PROGRESS: progress = 1; break;
        case OPT_NO_PROGRESS: progress = 0; break;
        case OPT_EFFECTIVE: effective = true; break;
        case OPT_INDEX: index_path = optarg; break;
        case OPT_STARTS:
            if (!option_count("--starts", optarg, 64, &starts))
                return EX_USAGE;
            break;
        case OPT_SEED_SPREAD:
            if (!option_count("--seed-spread", optarg, CAL_MAX_SEEDS, &seeds))
                return EX_USAGE;
            break;
        case OPT_HELP_KEYS: help_keys(optarg && strcmp(optarg, "markdown") == 0); return EX_OK;
        case 'h': help(); return EX_OK;
        case 'V':
            printf("falconsim %s (git %s)\n", FALCONSIM_VERSION, FALCONSIM_GIT);
            return EX_OK;
        default:
            fprintf(stderr, "Try 'falconsim --help'.\n");
            return EX_USAGE;
        }
    }
    const char *cmd = "run";
    if (optind < argc && (strcmp(argv[optind], "run") == 0 || strcmp(argv[optind], "check") == 0 ||
                          strcmp(argv[optind], "export") == 0 ||
                          strcmp(argv[optind], "calibrate") == 0 ||
                          strcmp(argv[optind], "summarize") == 0))
        cmd = argv[optind++];
    /* summarize takes any number of directories, the others at most two operands */
    const char **operands = cl->operands = xcalloc((size_t)argc + 2, sizeof *operands);
    int nops = 0;
    int max_ops = strcmp(cmd, "summarize") == 0 ? argc : 2;
    for (; optind < argc; optind++) {
        if (nops == max_ops) {
            fprintf(stderr, "falconsim: error: unexpected argument '%s'\n", argv[optind]);
            usage_short(stderr);
            return EX_USAGE;
        }
        operands[nops++] = argv[optind];
    }

    struct sim_err err = {{0}};
    if (strcmp(cmd, "export") == 0) {
        if (nops < 1 || nops > 2) {
            fprintf(stderr, "falconsim: error: export needs RUN.h5 and optionally a PATH\n");
            usage_short(stderr);
            return EX_USAGE;
        }
        int rc = h5out_export(operands[0], operands[1], stdout, &err);
        if (rc != SIM_OK) {
            fprintf(stderr, "falconsim: %s\n", err.msg);
            return rc == SIM_EINVAL ? EX_DATAERR : exit_for(rc);
        }
        return EX_OK;
    }
    if (strcmp(cmd, "summarize") == 0) {
        if (nops < 1) {
            fprintf(stderr, "falconsim: error: summarize needs a directory of result files (or "
                            "several: one campaign gathered from several hosts)\n");
            usage_short(stderr);
            return EX_USAGE;
        }
        int rc = summarize_dirs(operands, (size_t)nops, index_path, stdout, &err);
        if (rc != SIM_OK) {
            fprintf(stderr, "falconsim: %s\n", err.msg);
            return rc == SIM_EINVAL ? EX_DATAERR : exit_for(rc);
        }
        return EX_OK;
    }
    if (strcmp(cmd, "calibrate") == 0) {
        if (nops != 1) {
            fprintf(stderr, "falconsim: error: calibrate needs one TARGETS.tsv\n");
            usage_short(stderr);
            return EX_USAGE;
        }
        int rc = out_path != NULL ? sim_output_path_check(out_path, &err) : SIM_OK;
        if (rc == SIM_OK)
            rc = calibrate_run(operands[0], out_path, sets, nsets, jobs, starts, seeds, quiet,
                               &err);
        if (rc != SIM_OK) {
            fprintf(stderr, "falconsim: %s\n", err.msg);
            return exit_for(rc);
        }
        return EX_OK;
    }
    if (nops != 1) {
        fprintf(stderr, "falconsim: error: %s one scenario file\n",
                nops == 0 ? "missing the" : "expected exactly");
        usage_short(stderr);
        return EX_USAGE;
    }

    struct sim_params params;
    int rc = scenario_load(operands[0], NULL, sets, nsets, &params, &cl->text, &err);
    if (rc != SIM_OK) {
        fprintf(stderr, "falconsim: %s\n", err.msg);
        return exit_for(rc);
    }
    for (const char *line = cl->text.notes; line != NULL && *line != '\0';) {
        size_t n = strcspn(line, "\n");
        fprintf(stderr, "falconsim: %.*s\n", (int)n, line);
        line += n + (line[n] == '\n');
    }
    if (strcmp(cmd, "check") == 0) {
        fputs(effective ? cl->text.effective : cl->text.resolved, stdout);
        return EX_OK;
    }

    if (out_path == NULL)
        out_path = cl->out_owned = default_output(operands[0]);
    if ((rc = h5out_probe(out_path, &err)) != SIM_OK) {
        fprintf(stderr, "falconsim: %s\n", err.msg);
        return exit_for(rc);
    }

    struct model *m = cl->model = model_create(&params, &err);
    if (m == NULL) {
        fprintf(stderr, "falconsim: %s: %s\n", operands[0], err.msg);
        return EX_CONFIG;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    if (progress < 0)
        progress = isatty(STDERR_FILENO);

    double t0 = wall_now(), last = t0;
    int64_t dur = model_duration(m);
    int64_t slice = dur / 1000 > 0 ? dur / 1000 : 1;
    while (model_now(m) < dur && !g_signal) {
        model_run_until(m, model_now(m) + slice);
        double now = wall_now();
        if (progress && now - last >= 0.2) {
            double f = (double)model_now(m) / (double)dur;
            double el = now - t0;
            fprintf(stderr, "\r[%5.1f%%] sim %.3f/%.3f s  %.2f Mev/s  elapsed %.1f s  ETA %.1f s\033[K",
                    100 * f, (double)model_now(m) / 1e9, (double)dur / 1e9,
                    (double)model_events(m) / el / 1e6, el, f > 0 ? el * (1 - f) / f : 0);
            last = now;
        }
    }
    if (progress)
        fprintf(stderr, "\r\033[K");
    if (g_signal) {
        fprintf(stderr, "falconsim: interrupted at simulated %.3f s; no result written\n",
                (double)model_now(m) / 1e9);
        return 128 + g_signal;
    }
    double wall = wall_now() - t0;
    const struct model_results *r = model_finish(m);
    cl->cmdline = join_argv(argc, argv);
    struct h5out_run run = {&params, &cl->text, r, cl->cmdline, &g_signal};
    rc = g_signal ? sim_error(&err, SIM_EINTR, "%s: interrupted before writing; no result written",
                              out_path)
                  : h5out_write(out_path, &run, &err);
    if (rc != SIM_OK) {
        fprintf(stderr, "falconsim: %s\n", err.msg);
        return exit_for(rc);
    }
    if (!quiet) {
        print_summary(&params, r, wall);
        printf("  result: %s\n", out_path);
    }
    return EX_OK;
}

/* Every command's standard output reaches its file or pipe, or the run
 * fails: a full disk or a closed pipe must not pass for a complete export,
 * table or summary. */
static int finish_stdout(int rc)
{
    bool failed = ferror(stdout) != 0;
    int e = errno;
    if (fclose(stdout) != 0) {
        failed = true;
        e = errno;
    }
    if (!failed)
        return rc;
    fprintf(stderr, "falconsim: error: writing standard output failed: %s\n",
            e != 0 ? strerror(e) : "write error");
    return rc == 0 ? EX_IOERR : rc;
}

int main(int argc, char **argv)
{
    int rc;
    /* GSL's errors come back as status codes to every subcommand (calibrate,
     * and fit's calibration and least squares), never as an abort */
    gsl_set_error_handler_off();
    /* measure has options of its own (falconsim measure --help). */
    if (argc == 2 && strcmp(argv[1], "help") == 0) {
        help();
        rc = EX_OK;
    } else if (argc >= 2 && strcmp(argv[1], "measure") == 0) {
        rc = measure_main(argc - 1, argv + 1);
    } else if (argc >= 2 && strcmp(argv[1], "predict") == 0) {
        rc = host_rows_predict_main(argc - 1, argv + 1);
    } else if (argc >= 2 && strcmp(argv[1], "fit") == 0) {
        rc = host_rows_fit_main(argc - 1, argv + 1);
    } else {
        struct cli cl;
        memset(&cl, 0, sizeof cl);
        rc = cli_main(argc, argv, &cl);
        cli_free(&cl);
    }
    return finish_stdout(rc);
}
