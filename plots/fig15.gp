# Fig. 15: FALCON_LOAD_THRESHOLD 70/80/90 % and always-on, busy system.
# datafile columns: containers  t70 t80 t90 always  (Kpps)
load "plots/style.gp"
set title "Threshold sensitivity (FALCON Fig. 15)"
set xlabel "containers"
set ylabel "Kpps delivered"
set key bottom right
plot datafile skip 1 using 1:2 with linespoints ls 1 title "70 %", \
     '' skip 1 using 1:3 with linespoints ls 2 title "80 %", \
     '' skip 1 using 1:4 with linespoints ls 3 title "90 %", \
     '' skip 1 using 1:5 with linespoints ls 4 title "always on"
