# Fig. 5: per-core CPU at fixed rates: one 16 B UDP flow at 500 Kpps, native
# and overlay (RPS on), stacked by category. Same layout as Fig. 11.
figtitle = "Per-core CPU, one flow at 500 Kpps (FALCON Fig. 5)"
load "plots/fig11.gp"
