# mFlow: skbs reaching the merge out of order, by micro-flow batch size
# (experiment 15). datafile: batch UDP UDP_ci TCP TCP_ci, in thousands per
# second of simulated time (mean and 95 % CI over replications).
load "plots/style.gp"
set title "mFlow: out-of-order skbs before the merge"
set xlabel "micro-flow batch size (packets)"
set ylabel "thousand skbs/s"
set logscale x 2
set key top right
plot datafile using 1:2:3 with yerrorlines ls 2 title "UDP 16 B (device scaling)", \
     '' using 1:4:5 with yerrorlines ls 3 title "TCP 64 KB (full-path scaling)"
