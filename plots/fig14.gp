# Fig. 14: busy system, throughput against containers, Con vs FALCON (95 % CI).
# datafile columns: containers  Con Con_ci  FALCON FALCON_ci  (Kpps)
load "plots/style.gp"
set title "Busy system: 6 receive cores (FALCON Fig. 14)"
set xlabel "containers (one flow each, 100 Kpps offered)"
set ylabel "Kpps delivered"
set key top left
plot datafile skip 1 using 1:2:3 with yerrorlines ls 2 title "Con", \
     '' skip 1 using 1:4:5 with yerrorlines ls 3 title "FALCON"
