#!/usr/bin/env python3
"""Where an RPS IPI lands relative to the end of its sender's softirq.

Reads an ftrace text dump (trace_clock mono) of a falconsim measure run with
ipi:ipi_send_cpu, irq_vectors:call_function_single_entry and
irq:softirq_entry/softirq_exit enabled, the sender on CPU 0 and RPS to CPU 1;
for each IPI CPU 0 sends CPU 1, prints quantiles of the time to the
sender's next NET_RX softirq exit (its IPI trap is inside it) and to the
IPI's entry on CPU 1 (microsecond resolution).
"""
import re, sys
ev = []
for line in open(sys.argv[1]):
    m = re.match(r'\s*(.+?)\s+\[(\d+)\]\s+\S+\s+([\d.]+):\s+(\S+?):\s(.*)', line)
    if m:
        _, cpu, t, name, rest = m.groups()
        ev.append((float(t) * 1e6, int(cpu), name, rest))
ev.sort(key=lambda e: e[0])
rows = []
for i, (t, cpu, name, rest) in enumerate(ev):
    if name != 'ipi_send_cpu' or cpu != 0 or 'cpu=1' not in rest:
        continue
    entry = ex = None
    for (t2, c2, n2, r2) in ev[i + 1:i + 40]:
        if c2 == 1 and n2 == 'call_function_single_entry' and entry is None:
            entry = t2
        if c2 == 0 and n2 == 'softirq_exit' and 'NET_RX' in r2 and ex is None:
            ex = t2
    if entry is not None and ex is not None:
        rows.append((ex - t, entry - t, entry - ex))
print(len(rows), 'RPS IPIs from CPU 0 to CPU 1')
for j, n in enumerate(["sender's NET_RX softirq exit", 'IPI entry on CPU 1', 'IPI entry less softirq exit']):
    v = sorted(r[j] for r in rows)
    q = lambda p: v[min(len(v) - 1, int(p * len(v)))]
    print(f'{n:30s} p10 {q(0.1):5.0f}  p50 {q(0.5):5.0f}  p90 {q(0.9):5.0f} us')
print('IPI entry before the softirq exit:', f'{sum(r[2] < 0 for r in rows) / len(rows):.3f}')
