# Fig. 4: interrupts and softirqs of the overlay normalised to the host at
# the same load: NET_RX invocations and rescheduling IPIs (RES).
# datafile columns: counter  model paper
load "plots/style.gp"
set title "Softirq and IPI inflation (FALCON Fig. 4)"
set ylabel "overlay / host"
set yrange [0:*]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key top left
plot datafile skip 1 using 2:xtic(1) ls 2 title "model", \
     '' skip 1 using ($0+0.14):3 with points ls 9 title "paper"
