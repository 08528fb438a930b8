#!/usr/bin/env python3
"""The chain an RPS IPI starts on CPU 1, timed link by link.

Reads an ftrace text dump (trace_clock mono) of a falconsim measure run, the sender on
CPU 0 and RPS to CPU 1 (run.sh: ipi:ipi_send_cpu, irq:softirq_entry/exit,
irq_vectors:call_function_single_entry/exit, sched:sched_waking, and
raw_syscalls:sys_enter/sys_exit filtered to recvmmsg, id 299). For each IPI CPU 0 sends
CPU 1 from its NET_RX softirq, in microseconds:

  land    ipi_send_cpu on CPU 0 -> call_function_single_entry on CPU 1
  cfs     that interrupt's handler (entry -> exit)
  sirq    the NET_RX softirq CPU 1 runs next (entry -> exit)
  read    that softirq's exit -> the reader's next recvmmsg return on CPU 1
  chain   ipi_send_cpu -> that return
  user    that return -> the reader's next recvmmsg entry (its user-space work)

split by where the reader was at the send: asleep in recvmmsg (the softirq wakes it:
sched_waking), or awake (in user space, or inside a recvmmsg that has not slept). The
reader is the task of the recvmmsg events. Where the dump holds sched:sched_wakeup too, it
also prints the local wake-up's time from sched_waking to sched_wakeup on CPU 1
(try_to_wake_up's work up to the enqueue). IPIs whose chain is cut by the next IPI or by the
dump's end are skipped. This guest's trace has no switch from the idle task to a task
(../ipi-state/README.md), so the reader's state is read from its system calls and wake-ups,
not from sched_switch.
"""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from ftrace_dump import events, rps_ipis

ev = events(sys.argv[1])
ipis = [i for i in rps_ipis(ev) if 'net_rps_send_ipi' in ev[i][3] or 'generic_exec_single' in ev[i][3]]
rows = {'asleep': [], 'awake': []}
datagrams = {'asleep': [], 'awake': []}
for k, i in enumerate(ipis):
    end = ipis[k + 1] if k + 1 < len(ipis) else len(ev)
    t0 = ev[i][0]
    land = cfs_exit = s_in = s_out = ret_t = user_t = None
    woke = False
    nret = 0
    for j in range(i + 1, end):
        t, cpu, name, rest = ev[j]
        if cpu != 1:
            continue
        if land is None:
            if name == 'call_function_single_entry':
                land = t
            continue
        if cfs_exit is None:
            if name == 'call_function_single_exit':
                cfs_exit = t
            continue
        if s_in is None:
            if name == 'softirq_entry' and 'NET_RX' in rest:
                s_in = t
            continue
        if s_out is None:
            if name == 'sched_waking' and 'falconsim-loadg' in rest:
                woke = True
            if name == 'softirq_exit' and 'NET_RX' in rest:
                s_out = t
            continue
        if ret_t is None:
            if name == 'sys_exit':
                ret_t = t
                nret = int(rest.split('=')[-1])
            continue
        if name == 'sys_enter':
            user_t = t
            break
    if user_t is None:
        continue
    st = 'asleep' if woke else 'awake'
    rows[st].append((land - t0, cfs_exit - land, s_out - s_in, ret_t - s_out, ret_t - t0, user_t - ret_t))
    datagrams[st].append(nret)

tot = sum(len(v) for v in rows.values())
print(f'{len(ipis)} RPS IPIs from CPU 0 to CPU 1; {tot} with a whole chain before the next IPI')
names = ['land', 'cfs', 'sirq', 'read', 'chain', 'user']
for st in ('asleep', 'awake'):
    v = rows[st]
    if not v:
        print(f'reader {st}: none'); continue
    print(f'reader {st}: {len(v)} ({len(v)/max(tot,1):.1%}), datagrams per return mean {sum(datagrams[st])/len(v):.2f}')
    for c, n in enumerate(names):
        x = sorted(r[c] for r in v)
        q = lambda p: x[min(len(x) - 1, int(p * len(x)))]
        print(f'  {n:6s} p10 {q(0.1):6.2f}  p50 {q(0.5):6.2f}  p90 {q(0.9):6.2f}  mean {sum(x)/len(x):6.2f} us')

wk = []
last = None
for t, cpu, name, rest in ev:
    if cpu != 1 or 'falconsim-loadg' not in rest:
        continue
    if name == 'sched_waking':
        last = t
    elif name == 'sched_wakeup' and last is not None:
        wk.append(t - last)
        last = None
if wk:
    wk.sort()
    print(f'local wake-ups: {len(wk)}, sched_waking to sched_wakeup p10 {wk[len(wk)//10]:.2f}'
          f'  p50 {wk[len(wk)//2]:.2f}  p90 {wk[9*len(wk)//10]:.2f}  mean {sum(wk)/len(wk):.2f} us')
