# Fig. 2a: one 64 KB flow, Host vs Con, UDP and TCP, 10G and 100G; model bars
# with the paper's bars as crosses.
# datafile columns: case  Host Con  paper_Host paper_Con  (Gbit/s)
load "plots/style.gp"
set title "Overlay penalty, one 64 KB flow (FALCON Fig. 2a)"
set ylabel "Gbit/s"
set yrange [0:*]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key top left
plot datafile skip 1 using 2:xtic(1) ls 1 title "Host", \
     '' skip 1 using 3 ls 2 title "Con", \
     '' skip 1 using ($0-0.14):4 with points ls 9 title "paper", \
     '' skip 1 using ($0+0.14):5 with points ls 9
