# Fig. 19: overhead at fixed rates: busy cores (left) and NET_RX/s (right).
# datafile columns: rate_kpps  Host_cpu Con_cpu FALCON_cpu  Host_netrx Con_netrx FALCON_netrx
load "plots/style.gp"
set multiplot layout 1,2 title "Overhead, 16 B UDP (FALCON Fig. 19)"
set xlabel "offered Kpps"
set ylabel "busy cores"
set key top left
plot datafile skip 1 using 1:2 with linespoints ls 1 title "Host", \
     '' skip 1 using 1:3 with linespoints ls 2 title "Con", \
     '' skip 1 using 1:4 with linespoints ls 3 title "FALCON"
set ylabel "NET_RX invocations / s"
plot datafile skip 1 using 1:5 with linespoints ls 1 title "Host", \
     '' skip 1 using 1:6 with linespoints ls 2 title "Con", \
     '' skip 1 using 1:7 with linespoints ls 3 title "FALCON"
unset multiplot
