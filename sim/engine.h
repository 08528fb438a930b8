/*
 * engine.h: the discrete-event core. It knows nothing about networking.
 *
 * An event is a small value (time, order, kind, obj, arg) stored in a node
 * array sized at setup and kept in a ladder queue (engine.c); scheduling
 * allocates nothing. A handler is
 * registered per kind together with its context pointer and its class.
 *
 * Total order, documented once and relied upon everywhere: events run by
 *   1. time (integer ns, earliest first), then
 *   2. class (smaller first; the model names its classes in enum ev_class,
 *      model_internal.h), then
 *   3. sequence (the order in which engine_schedule was called).
 * Runs are therefore bit-reproducible: nothing depends on pointer values.
 *
 * Ownership: engine_create allocates; engine_destroy(NULL) is legal. A
 * handler's ctx is borrowed for the engine's lifetime.
 */
#ifndef FALCONSIM_ENGINE_H
#define FALCONSIM_ENGINE_H

#include "sim_base.h"

#include <stdbool.h>

struct engine;

typedef void (*engine_handler_fn)(void *ctx, uint32_t obj, uint64_t arg);

#define ENGINE_MAX_KINDS 32u
#define ENGINE_MAX_CLASS 255u

/* capacity: the most events that may be pending at once; exceeding it is a
 * model bug or an undersized setting, reported with capacity_key. */
struct engine *engine_create(size_t capacity, const char *capacity_key, struct sim_err *err);
/* Bytes engine_create(capacity) allocates, for estimates before it runs. */
double engine_memory_bytes(double capacity);
void engine_destroy(struct engine *eng);

/* Registers the handler for kind (< ENGINE_MAX_KINDS) with its class. */
void engine_register(struct engine *eng, uint32_t kind, unsigned cls, engine_handler_fn fn,
                     void *ctx);

/* Registers a kind of which at most one event is ever pending (scheduling
 * a second before the first has run is an assertion failure). It waits in a
 * lane beside the event set, so scheduling and running it cost a compare;
 * the order of events is the same as with engine_register. */
#define ENGINE_MAX_LANES 4u
void engine_register_single(struct engine *eng, uint32_t kind, unsigned cls, engine_handler_fn fn,
                            void *ctx);

/* Schedules an event; at must not be in the past. O(1) amortised. */
void engine_schedule(struct engine *eng, sim_ns at, uint32_t kind, uint32_t obj, uint64_t arg);

/* Runs every event with time <= until, then sets the clock to until.
 * Returns the number of events run. O(k) amortised for k events. */
uint64_t engine_run(struct engine *eng, sim_ns until);

/* Makes the running engine_run return after the current event (the clock
 * stays at that event's time). For benchmarks and drivers that stop on a
 * condition rather than a time. */
void engine_stop(struct engine *eng);

/* The clock is the engine's first member, so that the model's handlers,
 * which read it on nearly every event, inline the read (engine.c asserts
 * the layout). */
static inline sim_ns engine_now(const struct engine *eng)
{
    return *(const sim_ns *)(const void *)eng;
}
uint64_t engine_events_run(const struct engine *eng);
size_t engine_pending(const struct engine *eng);
size_t engine_peak_pending(const struct engine *eng);
/* The most events that may be pending at once (engine_create). */
size_t engine_capacity(const struct engine *eng);
/* How often a long bottom was spread over a new rung (engine.c); for tests. */
uint64_t engine_bottom_spills(const struct engine *eng);

/* Verifies the event set's structure (every pending event in one tier, in
 * its bucket, none before the clock); O(n). For tests and end-of-run checks. */
bool engine_check(const struct engine *eng);

#endif
