#!/usr/bin/env python3
"""Where a wake-up's IPI lands relative to the waker's write() return.

Reads an ftrace text dump (trace_clock mono) of falconsim-loadgen wake with
ipi:ipi_send_cpu, irq_vectors:call_function_single_entry,
syscalls:sys_exit_write and syscalls:sys_exit_read enabled, the waker on
CPU 0 and the reader on CPU 1; prints quantiles of each event's time after
the wake-up IPI was sent (ftrace's text has microsecond resolution).
"""
import re
import sys

events = []
for line in open(sys.argv[1]):
    m = re.match(r'\s*(\S+)\s+\[(\d+)\]\s+\S+\s+([\d.]+):\s+(\S+?):?\s(.*)', line)
    if m:
        _, cpu, t, name, rest = m.groups()
        events.append((round(float(t) * 1e6), int(cpu), name, rest))
events.sort(key=lambda e: e[0])
rows = []
for i, (t, cpu, name, rest) in enumerate(events):
    if name != 'ipi_send_cpu' or cpu != 0 or 'ttwu' not in rest:
        continue
    entry = ret = read = None
    for (t2, c2, n2, r2) in events[i + 1:i + 30]:
        if c2 == 1 and n2.startswith('call_function') and entry is None:
            entry = t2
        if c2 == 0 and n2 == 'sys_write' and '->' in r2 and ret is None:
            ret = t2
        if c2 == 1 and n2 == 'sys_read' and '->' in r2 and read is None:
            read = t2
    if None not in (entry, ret, read):
        rows.append((entry - t, ret - t, read - t, entry - ret))
print(len(rows), 'wake-up IPIs')
names = ['IPI entry on the reader', "waker's write() returns", "reader's read() returns",
         'IPI entry less write return']
for j, n in enumerate(names):
    v = sorted(r[j] for r in rows)
    print(f'{n:28s} p10 {v[len(v) // 10]:3d}  p50 {v[len(v) // 2]:3d}  p90 {v[9 * len(v) // 10]:3d} us')
print('IPI entry before the write returned:', f'{sum(r[3] < 0 for r in rows) / len(rows):.3f}')
