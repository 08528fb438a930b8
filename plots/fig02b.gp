# Fig. 2b: one UDP flow, Con's packet rate normalised to Host, by message
# size, at 10G and 100G; model bars, the paper's values as crosses.
# datafile columns: size  r10 r100  paper10 paper100
load "plots/style.gp"
set title "Overlay penalty by message size (FALCON Fig. 2b)"
set ylabel "Con / Host packet rate"
set yrange [0:1.1]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key top left
plot datafile skip 1 using 2:xtic(1) ls 2 title "10G", \
     '' skip 1 using 3 ls 3 title "100G", \
     '' skip 1 using ($0-0.14):4 with points ls 9 title "paper", \
     '' skip 1 using ($0+0.14):5 with points ls 9
