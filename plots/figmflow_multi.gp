# mFlow: several TCP flows on 5 application and 10 kernel cores
# (experiment 15). datafile: two blocks (4 KB, 64 KB), columns flows then
# mean and ci in Gbit/s for Con (RSS, no RPS) RPS FALCON mFlow.
load "plots/style.gp"
set multiplot layout 1,2 title "Several TCP flows (mFlow, IPDPS'23)"
set xlabel "flows"
set ylabel "Gbit/s"
set xrange [4:21]
set key bottom right
set title "4 KB"
plot datafile index 0 using 1:2:3 with yerrorlines ls 2 title "Con (RSS)", '' index 0 using 1:4:5 with yerrorlines ls 4 title "RPS", \
     '' index 0 using 1:6:7 with yerrorlines ls 3 title "FALCON", '' index 0 using 1:8:9 with yerrorlines ls 6 title "mFlow"
set title "64 KB"
plot datafile index 1 using 1:2:3 with yerrorlines ls 2 title "Con (RSS)", '' index 1 using 1:4:5 with yerrorlines ls 4 title "RPS", \
     '' index 1 using 1:6:7 with yerrorlines ls 3 title "FALCON", '' index 1 using 1:8:9 with yerrorlines ls 6 title "mFlow"
unset multiplot
