#!/usr/bin/env python3
"""The two modes of an RPS IPI's cost to its sender, whatever the target's state.

Reads the ftrace dump trace_ipi_state.py reads; for each IPI CPU 0 sends CPU 1,
takes the time from ipi_send_cpu to the end of CPU 0's NET_RX softirq, splits
the IPIs at 15 us (the costs fall in two groups, 3-5 us and 27-33 us, with
nothing between) and prints the share of the expensive group and each group's
mean (microseconds).
"""
import re, sys
ev=[]
for line in open(sys.argv[1]):
    m = re.match(r'\s*(.+?)\s+\[(\d+)\]\s+\S+\s+([\d.]+):\s+(\S+?):\s(.*)', line)
    if m:
        _, cpu, t, name, rest = m.groups(); ev.append((float(t)*1e6,int(cpu),name,rest))
ev.sort(key=lambda e:e[0])
c=[]
for i,(t,cpu,name,rest) in enumerate(ev):
    if name!='ipi_send_cpu' or cpu!=0 or 'cpu=1' not in rest: continue
    for (t2,c2,n2,r2) in ev[i+1:i+60]:
        if c2==0 and n2=='softirq_exit' and 'NET_RX' in r2: c.append(t2-t); break
lo=[x for x in c if x<15]; hi=[x for x in c if x>=15]
print(f"{sys.argv[1]}: n {len(c)} expensive {len(hi)/len(c):.3f} cheap mean {sum(lo)/len(lo):.2f} expensive mean {sum(hi)/len(hi):.2f} all mean {sum(c)/len(c):.2f}")
