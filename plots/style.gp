# Shared style for every falconsim figure: one colour, dash and point per
# system, so the figures match. Loaded by each plots/*.gp.
# Each script takes -e "datafile='...'; outfile='...'; fmt='png'|'pdf'".
if (!exists("fmt")) fmt = "png"
if (fmt eq "pdf") {
    set terminal pdfcairo size 5in,3in font "Helvetica,9"
} else {
    set terminal pngcairo size 900,540 font "Helvetica,11"
}
set output outfile
set encoding utf8
set datafile separator tab
set border 3
set tics nomirror out
set grid ytics lc rgb "#dddddd"
set key top left noautotitle
# systems: Host, Con (overlay + RPS), FALCON, vanilla, Host+ (ColorBrewer Dark2)
set style line 1 lc rgb "#1b9e77" lw 2 pt 7 dt 1
set style line 2 lc rgb "#d95f02" lw 2 pt 5 dt 2
set style line 3 lc rgb "#7570b3" lw 2 pt 9 dt 3
set style line 4 lc rgb "#e7298a" lw 2 pt 11 dt 4
set style line 5 lc rgb "#66a61e" lw 2 pt 13 dt 5
# mFlow, PRISM-batch, PRISM-sync
set style line 6 lc rgb "#e6ab02" lw 2 pt 15 dt 1
set style line 7 lc rgb "#a6761d" lw 2 pt 4 dt 2
set style line 8 lc rgb "#666666" lw 2 pt 6 dt 3
set style line 9 lc rgb "#000000" lw 1 pt 2 ps 1.3   # the paper's measured points
# Bar charts: `@bar_style` draws error bars (95 % CI) solid black over any
# fill; their bars are plotted with dt 1 so a system's dash pattern never
# breaks a bar edge or its error bar. Line charts keep each series' colour.
bar_style = 'set errorbars lc rgb "#000000" lw 1.2; set style fill solid 0.8 border -1'

