# Fig. 18: memcached round trip, Con vs FALCON, 1 and 10 clients.
# datafile columns: label  mean mean_ci  p99 p99_ci  (µs), rows "1 client Con", ...
load "plots/style.gp"
set title "memcached round trip (FALCON Fig. 18)"
set ylabel "µs"
set logscale y
set style data histograms
set style histogram errorbars gap 1 lw 1.2
@bar_style
set key top left
plot datafile skip 1 using 2:3:xtic(1) ls 2 dt 1 title "mean", \
     '' skip 1 using 4:5 ls 3 dt 1 title "p99"
