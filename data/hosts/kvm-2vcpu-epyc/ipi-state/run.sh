#!/bin/bash
# run.sh OUT LOAD...: falconsim measure of the overlay (TOPOLOGY, default overlay) with RPS,
# 16 B, flat out and at each
# LOAD % (4 s windows; PAYLOAD bytes, default 16); 1.5 s into the flat-out run's and each paced run's sender, ftrace
# records one second (trace_ipi_state.py's events, or EVENTS: tracefs event names, each
# optionally NAME:FILTER) into ./trace_LOAD.txt (or trace_sat.txt), and the sender's --rate
# into ./rate_LOAD. Needs root; FALCONSIM is the binary.
set -e
EVENTS=${EVENTS:-"ipi/ipi_send_cpu irq/softirq_entry irq/softirq_exit irq_vectors/call_function_single_entry irq_vectors/call_function_single_exit irq_vectors/local_timer_entry irq_vectors/local_timer_exit sched/sched_switch"}
OUT=$1; shift
rm -f ./seen_*
T=/sys/kernel/tracing
echo mono > $T/trace_clock; echo 65536 > $T/buffer_size_kb
events() {   # events 0|1: disable or enable EVENTS with their filters
  for e in $EVENTS; do
    f=${e#*:}; e=${e%%:*}
    if [ $1 = 1 ] && [ "$f" != "$e" ]; then echo "$f" > $T/events/$e/filter; fi
    echo $1 > $T/events/$e/enable
    if [ $1 = 0 ]; then echo 0 > $T/events/$e/filter; fi
  done
}
trap 'events 0; echo 0 > $T/tracing_on' EXIT
events 1
echo 0 > $T/tracing_on
LOADS=$(IFS=,; echo "$*")
${FALCONSIM:-falconsim} measure -o $OUT --topologies ${TOPOLOGY:-overlay} --placements rps --payloads ${PAYLOAD:-16} --sat-reps 1 --loads $LOADS --load-reps 1 --duration 4 --warmup 0.5 --noise-s 0 -q &
M=$!
for L in sat "$@"; do
  if [ $L = sat ]; then PAT="0 "; else PAT="[1-9]"; fi
  while kill -0 $M 2>/dev/null; do
    if pgrep -af "falconsim-loadgen send" | grep -q -- "--rate $PAT" && ! [ -e ./seen_$L ]; then
      pgrep -af "falconsim-loadgen send" | grep -o -- "--rate [0-9]*" > ./rate_$L
      touch ./seen_$L; sleep 1.5; echo > $T/trace; echo 1 > $T/tracing_on; sleep 1; echo 0 > $T/tracing_on
      cp $T/trace ./trace_$L.txt; echo > $T/trace
      # wait for this run's sender to end
      while pgrep -af "falconsim-loadgen send" | grep -q -- "--rate $PAT"; do sleep 0.1; done
      break
    fi
    sleep 0.05
  done
done
wait $M
echo > $T/trace
