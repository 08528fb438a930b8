#!/usr/bin/env python3
"""Where an RPS IPI lands relative to the end of its sender's softirq.

Reads an ftrace text dump (trace_clock mono) of a falconsim measure run with
ipi:ipi_send_cpu, irq_vectors:call_function_single_entry and
irq:softirq_entry/softirq_exit enabled, the sender on CPU 0 and RPS to CPU 1;
for each IPI CPU 0 sends CPU 1, prints quantiles of the time to the
sender's next NET_RX softirq exit (its IPI trap is inside it) and to the
IPI's entry on CPU 1 (microsecond resolution).
"""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '../..'))
from ftrace_dump import events, rps_ipis, softirq_end
ev = events(sys.argv[1])
rows = []
for i in rps_ipis(ev):
    t = ev[i][0]
    entry = next((t2 for (t2, c2, n2, _) in ev[i + 1:i + 40]
                  if c2 == 1 and n2 == 'call_function_single_entry'), None)
    ex = softirq_end(ev, i, within=39)
    if entry is not None and ex is not None:
        rows.append((ex - t, entry - t, entry - ex))
print(len(rows), 'RPS IPIs from CPU 0 to CPU 1')
for j, n in enumerate(["sender's NET_RX softirq exit", 'IPI entry on CPU 1', 'IPI entry less softirq exit']):
    v = sorted(r[j] for r in rows)
    q = lambda p: v[min(len(v) - 1, int(p * len(v)))]
    print(f'{n:30s} p10 {q(0.1):5.0f}  p50 {q(0.5):5.0f}  p90 {q(0.9):5.0f} us')
print('IPI entry before the softirq exit:', f'{sum(r[2] < 0 for r in rows) / len(rows):.3f}')
