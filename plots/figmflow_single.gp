# mFlow: one flow by message size against Host, Con (vanilla overlay), RPS
# and FALCON (experiment 15). datafile: two blocks (UDP, TCP), columns size,
# Host's Gbit/s, then Con RPS FALCON mFlow relative to Host, each with its
# 95 % CI (also relative).
load "plots/style.gp"
eval bar_style
set style data histograms
set style histogram errorbars gap 1 lw 1
set multiplot layout 1,2 title "One flow, relative to Host (mFlow, IPDPS'23)"
set yrange [0:*]
set ylabel "throughput / Host"
set key top left
set title "UDP"
plot datafile index 0 using 3:4:xtic(1) ls 2 dt 1 title "Con", '' index 0 using 5:6 ls 4 dt 1 title "RPS", \
     '' index 0 using 7:8 ls 3 dt 1 title "FALCON", '' index 0 using 9:10 ls 6 dt 1 title "mFlow"
set title "TCP"
plot datafile index 1 using 3:4:xtic(1) ls 2 dt 1 title "Con", '' index 1 using 5:6 ls 4 dt 1 title "RPS", \
     '' index 1 using 7:8 ls 3 dt 1 title "FALCON", '' index 1 using 9:10 ls 6 dt 1 title "mFlow"
unset multiplot
