#!/usr/bin/env python3
"""Where an RPS IPI finds the reader's CPU, what it costs its sender, and when it lands.

Reads the same ftrace dump as trace_chain.py. For each IPI CPU 0 sends CPU 1 from its
NET_RX softirq: CPU 1's state at the send, read from the reader's recvmmsg events and
wake-ups (this guest's trace has no switch from the idle task to a task):

  softirq     CPU 1 in a NET_RX softirq (its backlog was not scheduled: between its polls)
  user        the reader between a recvmmsg's return and the next one's entry
  returning   the reader woken (sched_waking) and not yet returned
  in call     the reader inside a recvmmsg, not woken: asleep, or on its way to sleep

the sender's cost (ipi_send_cpu to the end of its softirq: cheap under 15 us, expensive
over; ../ipi-state/README.md) and the landing (ipi_send_cpu to CPU 1's
call_function_single_entry), quantiles in microseconds (the dump's resolution).
"""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from ftrace_dump import events, softirq_end

ev = events(sys.argv[1])
in_call = woken = in_sirq = False
res = {}
for i, (t, c, n, r) in enumerate(ev):
    if c == 1:
        if n == 'sys_enter':
            in_call, woken = True, False
        elif n == 'sys_exit':
            in_call, woken = False, False
        elif n == 'sched_waking' and 'falconsim-loadg' in r:
            woken = True
        elif n == 'softirq_entry' and 'NET_RX' in r:
            in_sirq = True
        elif n == 'softirq_exit' and 'NET_RX' in r:
            in_sirq = False
        continue
    if not (n == 'ipi_send_cpu' and c == 0 and 'cpu=1' in r and 'generic_exec_single' in r):
        continue
    state = 'softirq' if in_sirq else 'user' if not in_call else 'returning' if woken else 'in call'
    end = softirq_end(ev, i)
    if end is None:
        continue
    land = next((e[0] for e in ev[i + 1:i + 400] if e[1] == 1 and e[2] == 'call_function_single_entry'), None)
    if land is None:
        continue
    res.setdefault(state, []).append((end - t, land - t))

tot = sum(len(v) for v in res.values())
print(f'{tot} RPS IPIs from CPU 0 to CPU 1 with a cost and a landing')
print('state      share   expensive | cheap: landing p10/p50/p90 | expensive: cost p50, landing p10/p50/p90 (us)')
for state in ('in call', 'returning', 'user', 'softirq'):
    v = res.get(state, [])
    if not v:
        continue
    cheap = sorted(l for c, l in v if c <= 15)
    exp = sorted((l, c) for c, l in v if c > 15)
    q = lambda x, p: x[min(len(x) - 1, int(p * len(x)))] if x else float('nan')
    ec = sorted(c for _, c in exp)
    el = [l for l, _ in exp]
    print(f'{state:10s} {len(v)/tot:6.1%}  {len(exp)/len(v):6.1%}   |  {q(cheap,.1):4.0f} {q(cheap,.5):4.0f} {q(cheap,.9):4.0f}'
          f'             |  {q(ec,.5):4.0f}   {q(el,.1):4.0f} {q(el,.5):4.0f} {q(el,.9):4.0f}')
