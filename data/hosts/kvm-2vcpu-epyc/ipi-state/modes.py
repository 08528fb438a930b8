#!/usr/bin/env python3
"""The two modes of an RPS IPI's cost to its sender, whatever the target's state.

Reads the ftrace dump trace_ipi_state.py reads; for each IPI CPU 0 sends CPU 1,
takes the time from ipi_send_cpu to the end of CPU 0's NET_RX softirq, splits
the IPIs at 15 us (the costs fall in two groups, 3-5 us and 27-33 us, with
nothing between) and prints the share of the expensive group and each group's
mean (microseconds).
"""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from ftrace_dump import events, rps_ipis, softirq_end
ev = events(sys.argv[1])
ends = [(i, softirq_end(ev, i)) for i in rps_ipis(ev)]
c = [t - ev[i][0] for i, t in ends if t is not None]
lo=[x for x in c if x<15]; hi=[x for x in c if x>=15]
print(f"{sys.argv[1]}: n {len(c)} expensive {len(hi)/len(c):.3f} cheap mean {sum(lo)/len(lo):.2f} expensive mean {sum(hi)/len(hi):.2f} all mean {sum(c)/len(c):.2f}")
