#!/usr/bin/env python3
"""What an RPS IPI costs its sender by the state of the target CPU.

Reads an ftrace text dump (trace_clock mono) of a falconsim measure run with
ipi:ipi_send_cpu, irq:softirq_entry/exit, irq_vectors:call_function_single_entry/
exit, irq_vectors:local_timer_entry/exit and sched:sched_switch enabled, the sender
on CPU 0 and RPS to CPU 1. For each IPI CPU 0 sends CPU 1 from a NET_RX
softirq, the sender's cost is the time from ipi_send_cpu to the end of that
softirq (net_rps_send_ipi is the softirq's last work; the ICR write's trap is
inside). The target's state at the send: running (a task other than swapper,
or an interrupt or softirq on swapper), or idle for how long (since swapper's
last switch-in or its last interrupt's or softirq's exit).
Prints the cost's quantiles per state (microsecond resolution).
"""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from ftrace_dump import events, rps_ipis, softirq_end
ev = events(sys.argv[1])
idle_since = None     # CPU 1 idle since (us), or None if running
known = False
on_idle_task = False
groups = {}
def bucket(idle):
    if idle is None: return 'running'
    if idle < 50: return 'idle <50us'
    if idle < 200: return 'idle 50-200us'
    if idle < 1000: return 'idle 200us-1ms'
    return 'idle >1ms'
for i, (t, cpu, name, rest) in enumerate(ev):
    if cpu == 1 and name == 'sched_switch':
        known = True
        on_idle_task = 'next_comm=swapper' in rest
        idle_since = t if on_idle_task else None
        continue
    if cpu == 1 and name in ('softirq_entry', 'call_function_single_entry', 'local_timer_entry'):
        idle_since = None      # handling an interrupt or softirq: running
        continue
    if cpu == 1 and name in ('softirq_exit', 'call_function_single_exit', 'local_timer_exit'):
        if on_idle_task:
            idle_since = t
        continue
    if name != 'ipi_send_cpu' or cpu != 0 or 'cpu=1' not in rest or not known:
        continue
    if 'net_rps_send_ipi' not in rest and 'generic_exec_single' not in rest:
        continue
    ex = softirq_end(ev, i)
    if ex is None:
        continue
    b = bucket(None if idle_since is None else t - idle_since)
    groups.setdefault(b, []).append(ex - t)
tot = sum(len(v) for v in groups.values())
print(tot, 'RPS IPIs from CPU 0 to CPU 1 from a NET_RX softirq')
for b in ['running', 'idle <50us', 'idle 50-200us', 'idle 200us-1ms', 'idle >1ms']:
    v = sorted(groups.get(b, []))
    if not v:
        print(f'{b:15s} none'); continue
    q = lambda p: v[min(len(v) - 1, int(p * len(v)))]
    print(f'{b:15s} {len(v):6d} ({len(v)/tot:5.1%})  send to softirq end p10 {q(0.1):5.0f}  p50 {q(0.5):5.0f}  p90 {q(0.9):5.0f}  mean {sum(v)/len(v):6.1f} us')
