#!/bin/bash
# Host-wide noise by time: ../noise-shared/run.sh with the probe's keys since step 31, by length
# the share of the gaps' time the other vCPU's gaps cover, the chance level and the host-wide
# shares of the body and the stalls (README.md).
# Usage: run.sh LOADGEN [SECONDS [ROUNDS]] > runs.tsv
KEYS="window_s cpu0_gaps cpu1_gaps cpu0_lost_frac cpu1_lost_frac unrecorded shared_frac shared_time_frac gaps_upto20us shared_frac_upto20us covered_frac_upto20us gaps_20to100us shared_frac_20to100us covered_frac_20to100us gaps_over100us shared_frac_over100us covered_frac_over100us chance_frac host_wide_upto100us host_wide_over100us" exec "$(dirname "$0")/../noise-shared/run.sh" "$@"
