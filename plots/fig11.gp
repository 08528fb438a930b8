# Fig. 11: per-core CPU of the 16 B stress test, stacked by category.
# datafile columns: label  hardirq softirq system user paper  (percent), one
# row per system and core ("Host c0", ...); paper = the paper's total busy.
load "plots/style.gp"
if (!exists("figtitle")) figtitle = "Per-core CPU, 16 B UDP stress test (FALCON Fig. 11)"
set title figtitle
set ylabel "% of a core"
set yrange [0:135]
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.75
set xtics rotate by -45
set key top right maxrows 2 width -2
plot datafile skip 1 using 2:xtic(1) lc rgb "#a6761d" title "hardirq", \
     '' skip 1 using 3 lc rgb "#7570b3" title "softirq", \
     '' skip 1 using 4 lc rgb "#d95f02" title "system", \
     '' skip 1 using 5 lc rgb "#1b9e77" title "user", \
     '' skip 1 using 0:6 with points ls 9 title "paper (total)"
