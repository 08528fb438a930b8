#!/usr/bin/env python3
"""What a NET_RX softirq pass costs on CPU 1, apart from the datagrams it carries.

Reads ftrace text dumps (trace_clock mono) of falconsim measure runs with RPS to CPU 1, taken
as trace_chain.py's are (../ipi-state/run.sh with irq:softirq_entry/exit,
irq_vectors:call_function_single_entry/exit, sched:sched_waking, ipi:ipi_send_cpu and
raw_syscalls:sys_enter/sys_exit filtered to recvmmsg). For each RPS IPI from CPU 0 whose
softirq wakes the reader asleep in recvmmsg, and whose chain ends before the next IPI: the
NET_RX softirq time CPU 1 runs from the IPI's handler to the reader's next return (every
softirq_entry/exit pair in between: `passes`) and the datagrams that return carries (`n`, all
of them queued by those passes, the reader having slept through them). Then the line

    softirq time = a x passes + b x n

a: one pass's cost besides its datagrams (net_rx_action, the NAPI polls' entry and
completion, the softirq's entry and exit, and the reader's local wake-up, once a pass that
wakes it), b: a datagram's cost through every stage. Each dump's chains of one pass are
grouped by n (1..10, at least 20 chains), and it prints each group's p25 and median softirq
time and the least-squares line through the medians, in microseconds. Medians, because an
IPI or a noise gap that lands inside a softirq is timed with it. Dumps have microsecond
resolution.
"""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from ftrace_dump import events, rps_ipis


def chains(path):
    ev = events(path)
    ipis = [i for i in rps_ipis(ev)
            if 'net_rps_send_ipi' in ev[i][3] or 'generic_exec_single' in ev[i][3]]
    for k, i in enumerate(ipis):
        end = ipis[k + 1] if k + 1 < len(ipis) else len(ev)
        handled = woke = False
        s_in = None
        sirq, passes, nret = 0.0, 0, None
        for j in range(i + 1, end):
            t, cpu, name, rest = ev[j]
            if cpu != 1:
                continue
            if not handled:
                handled = name == 'call_function_single_exit'
                continue
            if name == 'softirq_entry' and 'NET_RX' in rest:
                s_in = t
            elif name == 'softirq_exit' and 'NET_RX' in rest and s_in is not None:
                sirq += t - s_in
                passes += 1
                s_in = None
            elif name == 'sched_waking' and 'falconsim-loadg' in rest:
                woke = True
            elif name == 'sys_exit' and s_in is None:
                nret = int(rest.split('=')[-1])
                break
        if woke and passes > 0 and nret is not None and nret > 0:
            yield passes, nret, sirq


def main():
    for path in sys.argv[1:]:
        by_n = {}
        for passes, n, sirq in chains(path):
            if passes == 1:
                by_n.setdefault(n, []).append(sirq)
        print(f'{path}: one-pass chains by the datagrams they carried (softirq time, us)')
        pts = []
        for n in sorted(by_n):
            v = sorted(by_n[n])
            if n > 10 or len(v) < 20:
                continue
            med = v[len(v) // 2]
            print(f'  n = {n:2d}: {len(v):6d} chains, p25 {v[len(v) // 4]:5.1f}  p50 {med:5.1f}')
            pts.append((n, med))
        if len(pts) >= 2:
            mx = sum(n for n, m in pts) / len(pts)
            my = sum(m for n, m in pts) / len(pts)
            b = sum((n - mx) * (m - my) for n, m in pts) / sum((n - mx) ** 2 for n, m in pts)
            print(f'  line through the medians: a pass {my - b * mx:.2f} us, a datagram {b:.2f} us')


main()
