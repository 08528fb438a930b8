# PRISM: one core's maximum throughput with every packet high priority
# (experiment 16). datafile: mode Kpps.
load "plots/style.gp"
eval bar_style
set title "One core's maximum throughput (PRISM, ICDCS'22)"
set style data histograms
set style histogram clustered gap 1
set ylabel "Kpps"
set yrange [0:*]
plot datafile using 2:xtic(1) ls 3 dt 1 title ""
