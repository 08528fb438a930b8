"""CPU 1's recvmmsg calls in a trace_calls.sh dump, cut at each datagram's return from
sock_recvmsg (sock:sock_recv_length): 'first' from the call's entry to its first datagram,
'next' between its datagrams, 'empty' from its last datagram to the dequeue that finds the
queues empty (-EAGAIN, which ends a MSG_WAITFORONE call), 'exit' from there to the call's
return. Only calls with no interrupt, context switch or IPI send inside. The dump's clock
prints microseconds, so single segments are quantized; means over many are not biased.
Usage: segments.py DUMP [T0 T1] (seconds of the dump's clock: the calls entered between)."""
import re, sys
LINE = re.compile(r'\s*(.+?)-(\d+)\s+\[(\d+)\]\s+\S+\s+([\d.]+):\s+(\S+?):\s(.*)')
cur=None; bad=False; ev=[]
T0=float(sys.argv[2])*1e6 if len(sys.argv)>2 else 0; T1=float(sys.argv[3])*1e6 if len(sys.argv)>3 else 1e30
seg={'first':[], 'next':[], 'empty':[], 'exit':[]}
for line in open(sys.argv[1]):
    m=LINE.match(line)
    if not m: continue
    name=m.group(5); t=float(m.group(4))*1e6; rest=m.group(6)
    if name=='sys_enter': cur=t; bad=False; ev=[]
    elif name=='sock_recv_length' and cur is not None:
        mm=re.search(r'error = (-?\d+)', rest); ev.append((t,int(mm.group(1))))
    elif name=='sys_exit' and cur is not None:
        ret=int(rest.split('=')[1])
        good=[e for e in ev if e[1]==0]; errs=[e for e in ev if e[1]<0]
        if T0<=cur<=T1 and not bad and ret>0 and len(good)==ret and len(errs)<=1 and ev[:ret]==good:
            seg['first'].append(ev[0][0]-cur)
            for i in range(1,ret): seg['next'].append(ev[i][0]-ev[i-1][0])
            if errs: seg['empty'].append(errs[0][0]-ev[ret-1][0])
            seg['exit'].append(t-ev[-1][0])
        cur=None
    elif cur is not None and (name.endswith('_entry') or name=='sched_switch' or name.startswith('ipi_send')): bad=True
for k,v in seg.items():
    if not v: continue
    v=sorted(v); tr=v[:max(1,int(len(v)*0.95))]
    print('%-6s n=%7d trimmed mean %.3f us, mean %.3f'%(k,len(v),sum(tr)/len(tr),sum(v)/len(v)))
