/*
 * fifo.h: the one intrusive singly linked FIFO, written once for every
 * element type that queues (packets, NAPI instances, threads, sockets).
 *
 * FIFO_DEFINE(name, type, link) defines `struct name { type *head, *tail; }`
 * (FIFO_STRUCT) and (FIFO_FUNCS) name_empty, name_push / name_push_head /
 * name_pop / name_splice / name_remove / name_rotate over elements
 * chained through their `type *link` member, so one element can sit in
 * several lists through several members. Nothing allocates: the
 * element carries its link. Invariants: head == NULL exactly when tail ==
 * NULL; tail->link == NULL; an element is in at most one list per member
 * (a popped or removed element's link is NULL). push, push_head, pop,
 * splice and rotate are O(1); remove is O(position), for the short lists
 * that need it (a CPU's run queue).
 */
#ifndef FALCONSIM_FIFO_H
#define FALCONSIM_FIFO_H

#include <stdbool.h>
#include <stddef.h>

/* The list type alone, for a struct that embeds a list of elements whose
 * type is completed later; FIFO_FUNCS then follows that type. */
#define FIFO_STRUCT(name, type)                                                                    \
    struct name {                                                                                  \
        type *head, *tail;                                                                         \
    }

#define FIFO_DEFINE(name, type, link)                                                              \
    FIFO_STRUCT(name, type);                                                                       \
    FIFO_FUNCS(name, type, link)

#define FIFO_FUNCS(name, type, link)                                                               \
    static inline bool name##_empty(const struct name *q)                                          \
    {                                                                                              \
        return q->head == NULL;                                                                    \
    }                                                                                              \
                                                                                                   \
    static inline void name##_push(struct name *q, type *e)                                        \
    {                                                                                              \
        e->link = NULL;                                                                            \
        if (q->tail != NULL)                                                                       \
            q->tail->link = e;                                                                     \
        else                                                                                       \
            q->head = e;                                                                           \
        q->tail = e;                                                                               \
    }                                                                                              \
                                                                                                   \
    /* e goes first (PRISM's head insertion). */                                                  \
    static inline void name##_push_head(struct name *q, type *e)                                   \
    {                                                                                              \
        e->link = q->head;                                                                         \
        q->head = e;                                                                               \
        if (q->tail == NULL)                                                                       \
            q->tail = e;                                                                           \
    }                                                                                              \
                                                                                                   \
    static inline type *name##_pop(struct name *q)                                                 \
    {                                                                                              \
        type *e = q->head;                                                                         \
        if (e != NULL) {                                                                           \
            q->head = e->link;                                                                     \
            if (q->head == NULL)                                                                   \
                q->tail = NULL;                                                                    \
            e->link = NULL;                                                                        \
        }                                                                                          \
        return e;                                                                                  \
    }                                                                                              \
                                                                                                   \
    /* Moves all of src to the tail of dst. */                                                     \
    static inline void name##_splice(struct name *dst, struct name *src)                           \
    {                                                                                              \
        if (src->head == NULL)                                                                     \
            return;                                                                                \
        if (dst->tail != NULL)                                                                     \
            dst->tail->link = src->head;                                                           \
        else                                                                                       \
            dst->head = src->head;                                                                 \
        dst->tail = src->tail;                                                                     \
        src->head = src->tail = NULL;                                                              \
    }                                                                                              \
                                                                                                   \
    /* Unlinks e, which must be in q; returns false if it is not. */                              \
    static inline bool name##_remove(struct name *q, type *e)                                      \
    {                                                                                              \
        type **pp = &q->head, *prev = NULL;                                                        \
        while (*pp != NULL && *pp != e) {                                                          \
            prev = *pp;                                                                            \
            pp = &(*pp)->link;                                                                     \
        }                                                                                          \
        if (*pp == NULL)                                                                           \
            return false;                                                                          \
        *pp = e->link;                                                                             \
        if (q->tail == e)                                                                          \
            q->tail = prev;                                                                        \
        e->link = NULL;                                                                            \
        return true;                                                                               \
    }                                                                                              \
                                                                                                   \
    /* The head goes to the tail (round robin). */                                                 \
    static inline void name##_rotate(struct name *q)                                               \
    {                                                                                              \
        if (q->head != NULL && q->head != q->tail)                                                 \
            name##_push(q, name##_pop(q));                                                         \
    }

#endif
