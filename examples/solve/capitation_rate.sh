#!/usr/bin/env bash
# Goal seek: the tier-B global capitation rate (PMPM) at which the provider's chance of
# losing money over the contract's three years is at most 20%, on the bundled program.
# The answer comes with its 95% Monte Carlo interval. APMSIM (default build/apmsim) and
# TRIALS (default: the scenario's 1000) may be set.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
apmsim="${APMSIM:-$here/../../build/apmsim}"
"$apmsim" solve "$here/../scenarios/default_cmc_program.json" \
  --vary /payment_models/3/components/0/pmpm/B --between 2000 10000 \
  --target "model=global_capitation_corridor_stop_loss party=provider statistic=p_negative <= 0.2" \
  ${TRIALS:+--trials "$TRIALS" --calibration-trials "$TRIALS"} "$@"
