#!/bin/bash
# Traces CPU 1's recvmmsg calls (raw_syscalls, id 299), each datagram's return from
# sock_recvmsg (sock:sock_recv_length), context switches, interrupts and IPI sends while
# COMMAND runs (at most 120 s), and writes CPU 1's dump to OUT; tracing is switched off and
# reset on any exit. Needs root and tracefs. Usage: trace_calls.sh OUT COMMAND...
set -euo pipefail
out=$1; shift
T=/sys/kernel/tracing
cleanup() {
    echo 0 > $T/tracing_on
    for e in raw_syscalls/sys_enter raw_syscalls/sys_exit sched/sched_switch \
        irq_vectors/local_timer_entry irq_vectors/local_timer_exit \
        irq_vectors/call_function_single_entry irq_vectors/call_function_single_exit \
        irq_vectors/call_function_entry irq_vectors/call_function_exit \
        irq_vectors/reschedule_entry irq_vectors/reschedule_exit ipi/ipi_send_cpu ipi/ipi_send_cpumask sock/sock_recv_length; do
        echo 0 > $T/events/$e/enable 2>/dev/null || true
        echo 0 > $T/events/$e/filter 2>/dev/null || true
    done
    echo 3 > $T/tracing_cpumask
    echo 1408 > $T/buffer_size_kb
    echo > $T/trace
}
trap cleanup EXIT
echo 0 > $T/tracing_on
echo > $T/trace
echo mono > $T/trace_clock
echo 2 > $T/tracing_cpumask
echo 150000 > $T/per_cpu/cpu1/buffer_size_kb
echo 'id == 299' > $T/events/raw_syscalls/sys_enter/filter
echo 'id == 299' > $T/events/raw_syscalls/sys_exit/filter
for e in raw_syscalls/sys_enter raw_syscalls/sys_exit sched/sched_switch \
    irq_vectors/local_timer_entry irq_vectors/local_timer_exit \
    irq_vectors/call_function_single_entry irq_vectors/call_function_single_exit \
    irq_vectors/call_function_entry irq_vectors/call_function_exit \
    irq_vectors/reschedule_entry irq_vectors/reschedule_exit ipi/ipi_send_cpu ipi/ipi_send_cpumask sock/sock_recv_length; do
    echo 1 > $T/events/$e/enable
done
echo 1 > $T/tracing_on
timeout 120 "$@"
echo 0 > $T/tracing_on
cat $T/per_cpu/cpu1/stats | grep -i "overrun\|entries"
cat $T/per_cpu/cpu1/trace > "$out"
