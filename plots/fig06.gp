# Fig. 6: share of all busy CPU time in each device's softirq (pNIC poll,
# gro_cell poll, backlog poll) for the overlay UDP stress test; model vs paper.
# datafile columns: stage  model paper  (percent)
load "plots/style.gp"
set title "Softirq shares of a system-wide profile (FALCON Fig. 6)"
set ylabel "% of busy time"
set yrange [0:*]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key top right
plot datafile skip 1 using 2:xtic(1) ls 2 title "model", \
     '' skip 1 using 3 ls 9 fs pattern 4 title "paper"
