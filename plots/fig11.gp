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
# A label's words stacked under its bar ("FALCON c0" -> FALCON / c0): level
# and readable; smaller when there are many bars (Fig. 5 has 20).
stacked(s, i) = i >= words(s) ? word(s, i) : word(s, i)."\n".stacked(s, i + 1)
stats datafile skip 1 using 2 nooutput
tic_font = STATS_records > 16 ? ",7" : STATS_records > 12 ? ",8" : ""
set xtics scale 0 font tic_font
set bmargin 5
set key top right maxrows 2 width -2
plot datafile skip 1 using 2:xtic(stacked(strcol(1), 1)) lc rgb "#a6761d" title "hardirq", \
     '' skip 1 using 3 lc rgb "#7570b3" title "softirq", \
     '' skip 1 using 4 lc rgb "#d95f02" title "system", \
     '' skip 1 using 5 lc rgb "#1b9e77" title "user", \
     '' skip 1 using 0:6 with points ls 9 title "paper (total)"
