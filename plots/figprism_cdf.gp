# PRISM: the high-priority flow's latency CDF at 300 Kpps of background
# (experiment 16). datafile: three blocks (vanilla, batch, sync), each
# latency_us and the cumulative fraction, from the runs' /latency/probe_count.
load "plots/style.gp"
set title "High-priority latency, 300 Kpps background (PRISM, ICDCS'22)"
set xlabel "latency (µs)"
set ylabel "CDF"
set yrange [0:1]
set key bottom right
plot datafile index 0 using 1:2 with steps ls 4 title "vanilla", \
     '' index 1 using 1:2 with steps ls 7 title "PRISM-batch", \
     '' index 2 using 1:2 with steps ls 8 title "PRISM-sync"
