# HotCloud'19: TCP throughput against the number of flows at 40G, host vs
# overlay: the overlay needs many flows to fill the link.
# datafile columns: flows  Host Con  (Gbit/s)
load "plots/style.gp"
set title "Scaling with flows at 40G (HotCloud'19)"
set xlabel "flows"
set ylabel "Gbit/s"
set logscale x 2
set yrange [0:*]
set key bottom right
plot datafile skip 1 using 1:2 with linespoints ls 1 title "Host", \
     '' skip 1 using 1:3 with linespoints ls 2 title "Con"
