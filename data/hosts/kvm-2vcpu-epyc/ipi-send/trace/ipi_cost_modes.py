#!/usr/bin/env python3
"""What each RPS IPI cost its sender: the quantiles and a histogram (whole microseconds, the
dump's resolution) of the time from CPU 0's `ipi_send_cpu` to CPU 1 to the end of the NET_RX
softirq that sent it (the IPI is that softirq's last work). Reads an ftrace text dump as
../../rps-chain/ does (trace_clock mono).
"""
import collections, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
from ftrace_dump import events, softirq_end

ev = events(sys.argv[1])
costs = []
for i, (t, c, n, r) in enumerate(ev):
    if n == 'ipi_send_cpu' and c == 0 and 'cpu=1' in r and 'generic_exec_single' in r:
        e = softirq_end(ev, i)
        if e is not None:
            costs.append(e - t)
costs.sort()
N = len(costs)
print(N, 'send->softirq end quantiles (p10 p25 p50 p75 p90 p99, us)',
      [round(costs[int(p * N)], 1) for p in (.1, .25, .5, .75, .9, .99)])
print('histogram (us, count):', sorted(collections.Counter(int(x) for x in costs).items())[:40])
