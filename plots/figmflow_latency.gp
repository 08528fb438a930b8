# mFlow: latency of one overloaded TCP 64 KB flow (experiment 15).
# datafile: system p50 p50_ci p99 p99_ci (us).
load "plots/style.gp"
eval bar_style
set title "Overloaded TCP 64 KB flow: latency (mFlow, IPDPS'23)"
set style data histograms
set style histogram errorbars gap 1 lw 1
set ylabel "latency (µs)"
set yrange [0:*]
set key top left
plot datafile using 2:3:xtic(1) ls 2 dt 1 title "p50", '' using 4:5 ls 3 dt 1 title "p99"
