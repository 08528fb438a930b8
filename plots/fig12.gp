# Fig. 12: latency distribution (CCDF, log scale) of 16 B UDP at 400 Kpps.
# datafile: three blocks (Host, Con, FALCON), each latency_us and ccdf (the
# fraction of messages slower), from the runs' /latency histograms.
load "plots/style.gp"
set title "Latency tail, 16 B UDP at 400 Kpps (FALCON Fig. 12)"
set xlabel "latency (µs)"
set ylabel "P(latency > x)"
set logscale y
set format y "10^{%L}"
set yrange [1e-4:1]
set key top right
set logscale x
plot datafile index 0 using 1:($2 > 0 ? $2 : NaN) with steps ls 1 title "Host", \
     '' index 1 using 1:($2 > 0 ? $2 : NaN) with steps ls 2 title "Con", \
     '' index 2 using 1:($2 > 0 ? $2 : NaN) with steps ls 3 title "FALCON"
