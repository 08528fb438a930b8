# Fig. 13: several flows into one container with dedicated FALCON cores.
# datafile: two blocks (UDP 16 B in Kpps; TCP 4 KB in Gbit/s), columns
# flows Host Con FALCON Host+ (Host+ only for TCP).
load "plots/style.gp"
set multiplot layout 1,2 title "Multiple flows (FALCON Fig. 13)"
set xlabel "flows"
set key top left
set ylabel "Kpps (UDP 16 B)"
plot datafile index 0 using 1:2 with linespoints ls 1 title "Host", \
     '' index 0 using 1:3 with linespoints ls 2 title "Con", \
     '' index 0 using 1:4 with linespoints ls 3 title "FALCON"
set ylabel "Gbit/s (TCP 4 KB)"
plot datafile index 1 using 1:2 with linespoints ls 1 title "Host", \
     '' index 1 using 1:3 with linespoints ls 2 title "Con", \
     '' index 1 using 1:4 with linespoints ls 3 title "FALCON", \
     '' index 1 using 1:5 with linespoints ls 5 title "Host+"
unset multiplot
