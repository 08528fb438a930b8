# Fig. 2c: several 4 KB flows with RPS, on as many cores as flows (1:1) or a
# quarter of them (4:1); Con's packet rate normalised to Host.
# datafile columns: case  model paper
load "plots/style.gp"
set title "Multi-flow penalty with RPS (FALCON Fig. 2c)"
set ylabel "Con / Host packet rate"
set yrange [0:1.1]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key top right
plot datafile skip 1 using 2:xtic(1) ls 2 title "model", \
     '' skip 1 using ($0+0.14):3 with points ls 9 title "paper"
