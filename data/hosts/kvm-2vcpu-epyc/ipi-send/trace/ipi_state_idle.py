#!/usr/bin/env python3
"""Where each RPS IPI found CPU 1, by CPU 1's own idle events (power:cpu_idle), and what it
cost its sender and when it landed, by the cost's group: under 8 us, 8-20 us, over 20 us.
States at the send: idle (for under or over 50 us), in a NET_RX softirq, in a system call
(the reader's recvmmsg: raw_syscalls filtered to it), or in user space. Landing: from the send
to CPU 1's call_function_single_entry. Also the mean work of a NAPI poll by device on CPU 1
(napi:napi_poll; "(no_device)" is the backlog). Reads an ftrace text dump as
../../rps-chain/ does.
"""
import collections, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
from ftrace_dump import events, softirq_end
ev = events(sys.argv[1])
idle = False; idle_since = 0; in_sirq = False; in_call=False
res = collections.defaultdict(list)
work = collections.Counter(); polls=collections.Counter()
for i,(t,c,n,r) in enumerate(ev):
    if c == 1:
        if n == 'cpu_idle':
            if r.startswith('state=4294967295'): idle = False
            else: idle = True; idle_since = t
        elif n == 'softirq_entry' and 'NET_RX' in r: in_sirq = True
        elif n == 'softirq_exit' and 'NET_RX' in r: in_sirq = False
        elif n == 'sys_enter': in_call=True
        elif n == 'sys_exit': in_call=False
        elif n == 'napi_poll':
            dev = r.split('for device ')[1].split(' ')[0]
            w = int(r.split(' work ')[1].split(' ')[0]); work[dev]+=w; polls[dev]+=1
        continue
    if not (n == 'ipi_send_cpu' and c == 0 and 'cpu=1' in r and 'generic_exec_single' in r):
        continue
    st = ('idle<50' if t-idle_since < 50 else 'idle>=50') if idle else ('softirq' if in_sirq else ('kernel(call)' if in_call else 'user'))
    e = softirq_end(ev, i)
    land = next((x[0] for x in ev[i+1:i+400] if x[1]==1 and x[2]=='call_function_single_entry'), None)
    if e is None or land is None: continue
    res[st].append((e-t, land-t))
tot = sum(len(v) for v in res.values())
q = lambda x,p: x[min(len(x)-1,int(p*len(x)))] if x else float('nan')
print(f'{tot} IPIs; per poll: ' + ', '.join(f'{d} {work[d]/polls[d]:.2f} ({polls[d]} polls)' for d in polls))
print('state         share | cost <8: share landing p50 | 8-20: share landing p50 | >20: share landing p50')
for st in sorted(res):
    v = res[st]
    out = f'{st:12s} {len(v)/tot:6.1%} |'
    for lo,hi in ((0,8),(8,20),(20,1e9)):
        g = sorted(l for cst,l in v if lo<=cst<hi)
        out += f' {len(g)/len(v):5.1%} {q(g,.5):5.0f} |'
    print(out)
