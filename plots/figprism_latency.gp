# PRISM: the 1000 pps high-priority flow's latency against the low-priority
# background on one core (experiment 16). datafile: background_kpps, then
# p50 and p99 (us) for vanilla, PRISM-batch, PRISM-sync.
load "plots/style.gp"
set multiplot layout 1,2 title "High-priority flow on a busy core (PRISM, ICDCS'22)"
set xlabel "background (Kpps)"
set ylabel "latency (µs)"
set key top left
set title "p50"
plot datafile using 1:2 with linespoints ls 4 title "vanilla", '' using 1:4 with linespoints ls 7 title "PRISM-batch", \
     '' using 1:6 with linespoints ls 8 title "PRISM-sync"
set title "p99"
plot datafile using 1:3 with linespoints ls 4 title "vanilla", '' using 1:5 with linespoints ls 7 title "PRISM-batch", \
     '' using 1:7 with linespoints ls 8 title "PRISM-sync"
unset multiplot
