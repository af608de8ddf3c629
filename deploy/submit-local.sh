#!/usr/bin/env bash
# spark-submit on this machine (local mode: ranks as threads). Usage:
#   deploy/submit-local.sh train --config configs/quickstart.yaml --ranks 2
set -euo pipefail
source "$(dirname "$0")/common.sh"
exec "$SPARK_HOME/bin/spark-submit" --master "local[${LOCAL_CORES:-2}]" "${COMMON_CONF[@]}" \
  --class "$DYTRAIN_MAIN" "$DYTRAIN_JAR" "$@"
