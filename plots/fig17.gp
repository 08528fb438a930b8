# Fig. 17: web serving, successful operations per second (round trip within
# the limit), Con vs FALCON, with 95 % CI.
# datafile columns: system  ok_per_s ok_ci
load "plots/style.gp"
set title "Web serving: successful operations (FALCON Fig. 17)"
set ylabel "operations / s within the limit"
set yrange [0:*]
set style data histograms
set style histogram errorbars gap 2 lw 1.2
@bar_style
plot datafile skip 1 using 2:3:xtic(1) ls 3 dt 1 title ""
