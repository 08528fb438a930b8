#!/usr/bin/env python3
"""What CPU 1 runs when CPU 0 sends it an RPS IPI, and how often each costs the full trap.

Reads the ftrace dump trace_ipi_state.py reads; for each IPI CPU 0 sends CPU 1
from a NET_RX softirq, CPU 1's current task (its last sched_switch's next_comm;
swapper/1 is the idle task) and whether it is inside an interrupt or softirq;
prints the count and share of each, and the share whose sender's cost is over
15 us (the expensive group of modes.py).
"""
import re, sys
ev=[]
for line in open(sys.argv[1]):
    m = re.match(r'\s*(.+?)\s+\[(\d+)\]\s+\S+\s+([\d.]+):\s+(\S+?):\s(.*)', line)
    if m:
        _, cpu, t, name, rest = m.groups(); ev.append((float(t)*1e6,int(cpu),name,rest))
ev.sort(key=lambda e:e[0])
task='?'; insirq=False; cnt={}; cost={}
for i,(t,c,n,r) in enumerate(ev):
    if c==1:
        if n=='sched_switch':
            task=re.search(r'next_comm=(\S+)',r).group(1)
        elif n in ('softirq_entry','call_function_single_entry','local_timer_entry'): insirq=True
        elif n in ('softirq_exit','call_function_single_exit','local_timer_exit'): insirq=False
        continue
    if n!='ipi_send_cpu' or c!=0 or 'cpu=1' not in r: continue
    ex=None
    for (t2,c2,n2,r2) in ev[i+1:i+60]:
        if c2==0 and n2=='softirq_exit' and 'NET_RX' in r2: ex=t2; break
    if ex is None: continue
    st=('irq/softirq on ' if insirq else '')+task
    cnt[st]=cnt.get(st,0)+1; cost.setdefault(st,[]).append(ex-t)
tot=sum(cnt.values())
for k in sorted(cnt,key=lambda k:-cnt[k]):
    v=cost[k]; print(f"{k:40s} {cnt[k]:6d} {cnt[k]/tot:6.1%}  expensive {sum(x>=15 for x in v)/len(v):5.1%}")
