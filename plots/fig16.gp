# Fig. 16: hotspot: delivered Kpps over time, dynamic (falcon) vs static
# hashing (falcon_static); flow 1's rate rises from 100 to 900 Kpps at 400 ms.
# datafile columns: t_ms  dynamic static  (Kpps)
load "plots/style.gp"
set title "Hotspot adaptability (FALCON Fig. 16)"
set xlabel "time (ms)"
set ylabel "Kpps delivered"
set key bottom right
plot datafile skip 1 using 1:2 with lines ls 3 title "falcon (two choices)", \
     '' skip 1 using 1:3 with lines ls 4 title "falcon_static" noenhanced
