# Fig. 5: per-core CPU at fixed rates, stacked by category: one 16 B UDP flow
# at 500 Kpps, native and overlay (RPS on), then five flows at 1 Mpps in all
# on five shared cores ("5fl"), each system's cores sorted by total busy
# time. Same layout as Fig. 11.
figtitle = "Per-core CPU at fixed rates (FALCON Fig. 5)"
load "plots/fig11.gp"
