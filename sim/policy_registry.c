/*
 * policy_registry.c: every placement policy, by name. Adding a policy is one
 * new file and one line here (and its name in k_policy_names).
 */
#include "policy.h"

#include <string.h>

static const struct placement_policy_ops *const k_registry[POL_COUNT] = {
    [POL_VANILLA] = &vanilla_policy_ops,
    [POL_RSS] = &rss_policy_ops,
    [POL_RPS] = &rps_policy_ops,
    [POL_RFS] = &rfs_policy_ops,
    [POL_FALCON] = &falcon_policy_ops,
    [POL_FALCON_STATIC] = &falcon_static_policy_ops,
    [POL_FALCON_ALWAYS] = &falcon_always_policy_ops,
};

const struct placement_policy_ops *policy_by_id(enum policy_id id)
{
    SIM_ASSERT((unsigned)id < POL_COUNT);
    const struct placement_policy_ops *ops = k_registry[id];
    SIM_ASSERT(ops != NULL && ops->abi == PLACEMENT_POLICY_ABI);
    SIM_ASSERT(ops->init != NULL && ops->select_cpu != NULL);
    SIM_ASSERT((ops->tick == NULL) == (ops->tick_period_ns == NULL));
    SIM_ASSERT(strcmp(ops->name, k_policy_names[id]) == 0);
    return ops;
}

const struct placement_policy_ops *policy_lookup(const char *name)
{
    for (unsigned i = 0; i < POL_COUNT; i++)
        if (strcmp(k_registry[i]->name, name) == 0)
            return policy_by_id((enum policy_id)i);
    return NULL;
}
