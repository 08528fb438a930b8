# Fig. 18: memcached round trip, Con vs FALCON, 1 and 10 clients.
# datafile columns: label  mean mean_ci  p99 p99_ci  (us), rows "1 client Con", ...
load "plots/style.gp"
set title "memcached round trip (FALCON Fig. 18)"
set ylabel "us"
set logscale y
set style data histograms
set style histogram errorbars gap 1 lw 1
set style fill solid 0.8 border -1
set key top left
plot datafile skip 1 using 2:3:xtic(1) ls 2 title "mean", \
     '' skip 1 using 4:5 ls 3 title "p99"
