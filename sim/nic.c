/*
 * nic.c: RX queues, rings, interrupt coalescing.
 *
 * A frame that reaches the NIC (traffic.c serialises frames on the link at
 * nic.link_gbps) is DMA'd into its RX queue's ring, chosen per flow by RSS
 * (policy hook select_rx_queue; default: hash -> 128-entry indirection
 * table -> queue). A full ring drops it (ring drop, as rx_out_of_buffer).
 *
 * Interrupt moderation: while the queue's interrupt is armed, the first
 * unsignalled frame starts a nic.coalesce_usecs timer and the interrupt
 * fires when the timer expires or nic.coalesce_frames frames are pending,
 * whichever is first. A policy that splits in the driver poll (TR_IRQ_SPLIT)
 * may tell the driver of consumed requests only every
 * irq_split_release_batch of them (mFlow: 128): until then their
 * descriptors stay taken and the ring is that much shorter.
 * The hardirq (nic.irq_ns, on the queue's IRQ CPU)
 * schedules the queue's NAPI and disarms the interrupt; napi_complete_done
 * re-arms it. Adaptive moderation (DIM) is not modelled: the settings are
 * the DIM start profile (lib/dim/net_dim.c).
 */
#include "model_internal.h"

static void fire(struct model *m, struct rxq *q)
{
    q->irq_enabled = false;
    q->timer_armed = false;
    q->timer_gen++;
    q->unsignalled = 0;
    cpu_raise_irq(m, &m->cpus[q->irq_cpu], STEP_NIC_IRQ, q->id);
}

static void signal_frames(struct model *m, struct rxq *q, uint32_t n)
{
    q->unsignalled += n;
    if (q->unsignalled >= (uint32_t)m->p->nic.coalesce_frames || m->coalesce_ns == 0) {
        fire(m, q);
    } else if (!q->timer_armed) {
        q->timer_armed = true;
        engine_schedule(m->eng, engine_now(m->eng) + m->coalesce_ns, EV_COALESCE, q->id,
                        q->timer_gen);
    }
}

void nic_on_coalesce_timer(void *ctx, uint32_t obj, uint64_t arg)
{
    struct model *m = ctx;
    struct rxq *q = &m->rxqs[obj];
    if (arg != q->timer_gen || !q->irq_enabled)
        return; /* cancelled: the interrupt fired on the frame count */
    fire(m, q);
}

void nic_napi_complete(struct model *m, struct rxq *q)
{
    q->irq_enabled = true;
    q->unsignalled = 0;
    if (q->napi.q.len > 0)
        signal_frames(m, q, q->napi.q.len);
}

/* Sampling happens where a frame enters the host, before any queue: a
 * sampled frame that the first queue drops is recorded with no stage. */
uint32_t nic_sample_frame(struct model *m, const struct flow *f, uint64_t msg)
{
    m->frame_count++;
    if (m->sample_cap == 0 || m->frame_count % (uint64_t)m->p->run.sample_every != 0 ||
        m->nsamples >= m->sample_cap)
        return NO_SAMPLE;
    struct sample_rec *r = &m->samples[m->nsamples];
    uint32_t sample = m->nsamples++;
    r->t_nic = engine_now(m->eng);
    for (int s = 0; s < ST_COUNT; s++) {
        r->t_stage[s] = -1;
        r->cpu[s] = -1;
    }
    r->t_socket = r->t_app = -1;
    r->app_cpu = -1;
    r->flow = f->id;
    r->msg = (uint32_t)msg;
    return sample;
}

struct pkt *nic_pkt_new(struct model *m, struct flow *f, uint64_t msg, uint32_t frag,
                        uint32_t bytes, sim_ns t_sent)
{
    struct pkt *p = model_pkt_alloc(m);
    p->sample = NO_SAMPLE;
    p->t_nic = engine_now(m->eng);
    p->t_sent = t_sent;
    p->flow = f->id;
    p->msg = (uint32_t)msg;
    p->seq = m->proto == PROTO_TCP ? f->rx_frame_seq : msg * f->frames_per_msg + frag;
    p->seq_end = p->seq + 1;
    f->rx_frame_seq++;
    p->bytes = bytes;
    p->segs = 1;
    p->msg_ends = frag + 1 == f->frames_per_msg ? 1u : 0u;
    p->stage = (uint8_t)stage_first(m->mode);
    p->flags = m->proto == PROTO_TCP ? PKT_TCP : 0;
    p->rxq = 0;
    if (m->pol->classify != NULL) {
        /* once, at skb allocation (PRISM parses the headers in the driver poll) */
        struct pkt_meta meta;
        flow_meta_fill(&meta, m, f);
        meta.bytes = bytes;
        if (m->pol->classify(m->pol_state, &meta) > 0) {
            p->flags |= PKT_HIGH;
            metrics_high_priority(m, 1);
        }
    }
    return p;
}

void nic_frame_arrives(struct model *m, struct flow *f, uint64_t msg, uint32_t frag,
                       uint32_t bytes, sim_ns t_sent)
{
    struct rxq *q = &m->rxqs[f->rxq];
    uint32_t sample = nic_sample_frame(m, f, msg);
    if (q->napi.q.len + q->held >= q->napi.limit) {
        metrics_dropped(m, DROP_RING, 1);
        traffic_lost(m, f, bytes, traffic_frame_loses_message(m, f, frag));
        return;
    }
    struct pkt *p = nic_pkt_new(m, f, msg, frag, bytes, t_sent);
    p->sample = sample;
    p->rxq = q->id;
    pktq_push(&q->napi.q, p);
    if (q->irq_enabled)
        signal_frames(m, q, 1);
}
