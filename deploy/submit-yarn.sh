#!/usr/bin/env bash
# YARN (Hadoop 3 with GPU scheduling). Usage:
#   RANKS=8 deploy/submit-yarn.sh train --ranks 8 --config configs/x.yaml --run-dir hdfs:///runs/x
# In cluster deploy mode the driver runs in a YARN container: the --config file is shipped there with
# --files and named by its base name.
set -euo pipefail
source "$(dirname "$0")/common.sh"
RANKS="${RANKS:-2}"
FILES="$DYTRAIN_ROOT/deploy/gpu-discovery.sh"
ARGS=()
while (($#)); do
  case "$1" in
    --config) [[ -f "${2:-}" ]] || { echo "submit-yarn.sh: --config ${2:-}: no such file" >&2; exit 2; }
      FILES+=",$2"; ARGS+=(--config "$(basename "$2")"); shift 2 ;;
    --config=*) f="${1#--config=}"; [[ -f "$f" ]] || { echo "submit-yarn.sh: --config $f: no such file" >&2; exit 2; }
      FILES+=",$f"; ARGS+=("--config=$(basename "$f")"); shift ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
exec "$SPARK_HOME/bin/spark-submit" --master yarn --deploy-mode cluster "${COMMON_CONF[@]}" \
  --num-executors "$RANKS" --executor-cores 1 \
  --conf spark.executor.resource.gpu.amount=1 \
  --conf spark.task.resource.gpu.amount=1 \
  --conf spark.executor.resource.gpu.discoveryScript=./gpu-discovery.sh \
  --files "$FILES" \
  --conf spark.executorEnv.PYTORCH_LIBRARY_PATH="${PYTORCH_LIBRARY_PATH:-/opt/libtorch/lib}" \
  --conf spark.executorEnv.PYTORCH_VERSION=2.7.1 --conf spark.executorEnv.PYTORCH_FLAVOR=cu128 \
  --class "$DYTRAIN_MAIN" "$DYTRAIN_JAR" "${ARGS[@]}"
