# Fig. 10: single-flow 16 B..64 KB UDP stress test at 100G, Host / Con /
# FALCON, model (bars, 95 % CI) with the paper's measured points (crosses).
# datafile columns: size  Host Host_ci  Con Con_ci  FALCON FALCON_ci  (Kpps)
load "plots/style.gp"
set title "UDP stress test, 100G (FALCON Fig. 10)"
set ylabel "Kpps delivered"
set logscale y
set yrange [1:5000]
set style data histograms
set style histogram errorbars gap 1 lw 1.2
set key top right
@bar_style
set boxwidth 0.9
$paper << EOD
0	2000	550	1300
1	1950	510	1180
2	550	165	480
3	40	18	32
EOD
set datafile separator tab
plot datafile skip 1 using 2:3:xtic(1) ls 1 dt 1 title "Host", \
     '' skip 1 using 4:5 ls 2 dt 1 title "Con", \
     '' skip 1 using 6:7 ls 3 dt 1 title "FALCON", \
     $paper using ($1-0.27):2 with points ls 9 title "paper", \
     $paper using ($1):3 with points ls 9, \
     $paper using ($1+0.27):4 with points ls 9
