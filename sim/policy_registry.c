/*
 * policy_registry.c: every placement policy, by name.
 *
 * Adding a policy is one new file (sim/NAME_policy.c, found by CMake's
 * glob) defining `const struct placement_policy_ops NAME_policy_ops`, and one
 * X(NAME) line in BUILTIN_POLICIES below; docs/policies.md walks through it. The
 * registry index of a policy is the value of sim_params.policy.name; names
 * for the policy.name key, --help-keys and the result files come from here.
 *
 * Invariants, checked once for the built-in policies (a broken one is a
 * programming error: abort) and on every policy_register (refused with a
 * message): the ABI matches; init and select_cpu exist; tick and
 * tick_period_ns come together, and so do merge_lanes and tag_microflow;
 * the name is [a-z0-9_]+ and unique; the
 * parameter struct fits POLICY_PARAMS_MAX and every key row lies inside it,
 * is under "policy.", and has the type and unit of any other policy's key
 * of the same name.
 */
#include "policy.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define BUILTIN_POLICIES(X)                                                                        \
    X(vanilla)                                                                                     \
    X(rss)                                                                                         \
    X(rps)                                                                                         \
    X(rfs)                                                                                         \
    X(falcon)                                                                                      \
    X(falcon_static)                                                                               \
    X(falcon_always)                                                                               \
    X(mflow)                                                                                       \
    X(prism)

#define DECLARE(n) extern const struct placement_policy_ops n##_policy_ops;
BUILTIN_POLICIES(DECLARE)
#undef DECLARE

#define OPS(n) &n##_policy_ops,
#define NAME(n) #n,
static const struct placement_policy_ops *g_registry[POLICY_MAX] = {BUILTIN_POLICIES(OPS)};
const char *k_policy_names[POLICY_MAX + 1] = {BUILTIN_POLICIES(NAME) NULL};
#undef OPS
#undef NAME
static unsigned g_count = 0; /* 0 until the built-ins were checked */

int policy_complain(struct policy_complaint *c, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    c->key = key;
    vsnprintf(c->msg, sizeof c->msg, fmt, ap);
    va_end(ap);
    return SIM_EINVAL;
}

int policy_check_cpus(const struct sim_params *p, const struct cpu_list *l, const char *key,
                      bool allow_empty, struct policy_complaint *c)
{
    if (!allow_empty && l->n == 0)
        return policy_complain(c, key, "must list at least one CPU");
    for (unsigned i = 0; i < l->n; i++)
        if (l->cpu[i] >= p->host.cpus)
            return policy_complain(c, key,
                                   "lists CPU %u, outside the core budget host.cpus = %lld "
                                   "(allowed: 0..%lld)",
                                   l->cpu[i], (long long)p->host.cpus,
                                   (long long)p->host.cpus - 1);
    return SIM_OK;
}

static size_t type_size(enum param_type t)
{
    switch (t) {
    case P_INT: return sizeof(int64_t);
    case P_REAL: return sizeof(double);
    case P_BOOL: return sizeof(bool);
    case P_ENUM: return sizeof(int);
    case P_CPUS: return sizeof(struct cpu_list);
    case P_DIST: return sizeof(struct dist);
    }
    return SIZE_MAX;
}

/* The header's invariants for ops, registered at index self, against the
 * first n policies. */
static int check_ops(const struct placement_policy_ops *ops, unsigned self, unsigned n,
                     struct sim_err *err)
{
    const char *name = ops->name != NULL ? ops->name : "(null)";
    if (ops->abi != PLACEMENT_POLICY_ABI)
        return sim_error(err, SIM_EINVAL, "policy '%s': ABI %u, this falconsim has %u", name,
                         ops->abi, PLACEMENT_POLICY_ABI);
    if (ops->init == NULL || ops->select_cpu == NULL)
        return sim_error(err, SIM_EINVAL, "policy '%s': init and select_cpu are required", name);
    if ((ops->merge_lanes == NULL) != (ops->tag_microflow == NULL))
        return sim_error(err, SIM_EINVAL,
                         "policy '%s': merge_lanes and tag_microflow come together", name);
    if ((ops->tick == NULL) != (ops->tick_period_ns == NULL))
        return sim_error(err, SIM_EINVAL, "policy '%s': tick and tick_period_ns come together",
                         name);
    if (ops->name == NULL || ops->name[0] == '\0' ||
        strspn(ops->name, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(ops->name))
        return sim_error(err, SIM_EINVAL, "policy '%s': a name is [a-z0-9_]+", name);
    for (unsigned i = 0; i < n; i++)
        if (i != self && strcmp(g_registry[i]->name, ops->name) == 0)
            return sim_error(err, SIM_EINVAL, "policy '%s': the name is taken", name);
    if (ops->params_size > POLICY_PARAMS_MAX)
        return sim_error(err, SIM_EINVAL,
                         "policy '%s': parameters of %zu bytes exceed POLICY_PARAMS_MAX = %d",
                         name, ops->params_size, POLICY_PARAMS_MAX);
    if (ops->nkeys > 0 && ops->keys == NULL)
        return sim_error(err, SIM_EINVAL, "policy '%s': nkeys without keys", name);
    size_t base = offsetof(struct sim_params, policy.params);
    for (size_t k = 0; k < ops->nkeys; k++) {
        const struct param_spec *s = &ops->keys[k];
        if (strncmp(s->key, "policy.", 7) != 0 || strcmp(s->key, "policy.name") == 0)
            return sim_error(err, SIM_EINVAL, "policy '%s': key '%s' is not its own policy.* key",
                             name, s->key);
        if (s->offset < base || s->offset + type_size(s->type) > base + ops->params_size)
            return sim_error(err, SIM_EINVAL,
                             "policy '%s': key '%s' lies outside its %zu-byte parameters "
                             "(build rows with POLICY_OFF)",
                             name, s->key, ops->params_size);
        if (s->type == P_ENUM && s->names == NULL)
            return sim_error(err, SIM_EINVAL, "policy '%s': enum key '%s' has no names", name,
                             s->key);
        for (unsigned i = 0; i < n; i++) {
            const struct placement_policy_ops *o = g_registry[i];
            if (i == self)
                continue;
            for (size_t j = 0; j < o->nkeys; j++)
                if (strcmp(o->keys[j].key, s->key) == 0 &&
                    (o->keys[j].type != s->type || strcmp(o->keys[j].unit, s->unit) != 0))
                    return sim_error(err, SIM_EINVAL,
                                     "policy '%s': key '%s' differs in type or unit from "
                                     "the same key of policy '%s'",
                                     name, s->key, o->name);
        }
    }
    return SIM_OK;
}

static void ensure_builtins(void)
{
    if (g_count > 0)
        return;
    unsigned n = 0;
    while (n < POLICY_MAX && g_registry[n] != NULL)
        n++;
    for (unsigned i = 0; i < n; i++) {
        struct sim_err err;
        if (check_ops(g_registry[i], i, n, &err) != SIM_OK) {
            fprintf(stderr, "falconsim: built-in %s\n", err.msg);
            SIM_ASSERT(false && "malformed built-in policy");
        }
        SIM_ASSERT(strcmp(g_registry[i]->name, k_policy_names[i]) == 0);
    }
    g_count = n;
}

unsigned policy_count(void)
{
    ensure_builtins();
    return g_count;
}

const struct placement_policy_ops *policy_at(unsigned id)
{
    ensure_builtins();
    SIM_ASSERT(id < g_count);
    return g_registry[id];
}

int policy_id(const char *name)
{
    ensure_builtins();
    for (unsigned i = 0; i < g_count; i++)
        if (strcmp(g_registry[i]->name, name) == 0)
            return (int)i;
    return -1;
}

const struct placement_policy_ops *policy_lookup(const char *name)
{
    int id = policy_id(name);
    return id < 0 ? NULL : g_registry[id];
}

const struct placement_policy_ops *policy_of(const struct sim_params *p)
{
    return policy_at((unsigned)p->policy.name);
}

int policy_register(const struct placement_policy_ops *ops, struct sim_err *err)
{
    ensure_builtins();
    if (g_count == POLICY_MAX)
        return sim_error(err, SIM_EINVAL, "policy registry full (POLICY_MAX = %d)", POLICY_MAX);
    g_registry[g_count] = ops;
    int rc = check_ops(ops, g_count, g_count + 1, err);
    if (rc != SIM_OK) {
        g_registry[g_count] = NULL;
        return rc;
    }
    k_policy_names[g_count] = ops->name;
    k_policy_names[++g_count] = NULL;
    return SIM_OK;
}
