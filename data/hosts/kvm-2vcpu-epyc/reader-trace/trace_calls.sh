#!/bin/bash
# Traces CPU 1's recvmmsg calls (raw_syscalls, id 299), each datagram's return from
# sock_recvmsg (sock:sock_recv_length), context switches, interrupts and IPI sends while
# COMMAND runs (at most 120 s), and writes CPU 1's dump to OUT. On any exit the tracer's
# settings go back to what they were. Needs root and tracefs.
# Usage: trace_calls.sh OUT COMMAND...
set -euo pipefail
out=$1; shift
T=/sys/kernel/tracing
events="raw_syscalls/sys_enter raw_syscalls/sys_exit sched/sched_switch
    irq_vectors/local_timer_entry irq_vectors/local_timer_exit
    irq_vectors/call_function_single_entry irq_vectors/call_function_single_exit
    irq_vectors/call_function_entry irq_vectors/call_function_exit
    irq_vectors/reschedule_entry irq_vectors/reschedule_exit
    ipi/ipi_send_cpu ipi/ipi_send_cpumask sock/sock_recv_length"
was_on=$(cat $T/tracing_on)
was_clock=$(sed 's/.*\[\(.*\)\].*/\1/' $T/trace_clock)
was_mask=$(cat $T/tracing_cpumask)
was_kb=$(cat $T/per_cpu/cpu1/buffer_size_kb)
cleanup() {
    echo 0 > $T/tracing_on
    for e in $events; do
        echo 0 > $T/events/$e/enable 2>/dev/null || true
        echo 0 > $T/events/$e/filter 2>/dev/null || true
    done
    echo > $T/trace
    echo "$was_mask" > $T/tracing_cpumask
    echo "$was_kb" > $T/per_cpu/cpu1/buffer_size_kb
    echo "$was_clock" > $T/trace_clock
    echo "$was_on" > $T/tracing_on
}
trap cleanup EXIT
echo 0 > $T/tracing_on
echo > $T/trace
echo mono > $T/trace_clock
echo 2 > $T/tracing_cpumask
echo 150000 > $T/per_cpu/cpu1/buffer_size_kb
echo 'id == 299' > $T/events/raw_syscalls/sys_enter/filter
echo 'id == 299' > $T/events/raw_syscalls/sys_exit/filter
for e in $events; do
    echo 1 > $T/events/$e/enable
done
echo 1 > $T/tracing_on
timeout 120 "$@"
echo 0 > $T/tracing_on
grep -i "overrun\|entries" $T/per_cpu/cpu1/stats
cat $T/per_cpu/cpu1/trace > "$out"
