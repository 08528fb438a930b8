"""Reading an ftrace text dump (trace_clock mono) for this host's trace scripts
(ipi-cost/rps-trace/trace_rps.py, ipi-state/*.py)."""
import re

_LINE = re.compile(r'\s*(.+?)\s+\[(\d+)\]\s+\S+\s+([\d.]+):\s+(\S+?):\s(.*)')


def events(path):
    """The dump's events as (time in us, cpu, event name, the rest), in time order."""
    ev = []
    for line in open(path):
        m = _LINE.match(line)
        if m:
            _, cpu, t, name, rest = m.groups()
            ev.append((float(t) * 1e6, int(cpu), name, rest))
    ev.sort(key=lambda e: e[0])
    return ev


def rps_ipis(ev):
    """Indices of the IPIs CPU 0 sends CPU 1."""
    return [i for i, e in enumerate(ev) if e[2] == 'ipi_send_cpu' and e[1] == 0 and 'cpu=1' in e[3]]


def softirq_end(ev, i, cpu=0, within=60):
    """Time of the first NET_RX softirq exit on cpu among the `within` events after
    event i, or None (an RPS IPI is its sender's softirq's last work)."""
    for (t, c, n, r) in ev[i + 1:i + 1 + within]:
        if c == cpu and n == 'softirq_exit' and 'NET_RX' in r:
            return t
    return None
