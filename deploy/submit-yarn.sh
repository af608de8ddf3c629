#!/usr/bin/env bash
# YARN (Hadoop 3 with GPU scheduling). One rank per GPU: each executor gets GPUS_PER_EXECUTOR GPUs (default
# 1; 0 for CPU executors, one core each), each task takes one. Usage:
#   RANKS=8 deploy/submit-yarn.sh train --ranks 8 --config configs/x.yaml --run-dir hdfs:///runs/x
# In cluster deploy mode the driver runs in a YARN container: the --config file is shipped there with
# --files and named by its base name.
set -euo pipefail
source "$(dirname "$0")/common.sh"
RANKS="${RANKS:-2}"
GPUS_PER_EXECUTOR="${GPUS_PER_EXECUTOR:-1}"
FILES="$DYTRAIN_ROOT/deploy/gpu-discovery.sh"
RESOURCE_CONF=(--executor-cores 1)
if [[ "$GPUS_PER_EXECUTOR" -gt 0 ]]; then
  RESOURCE_CONF=(
    --executor-cores "$GPUS_PER_EXECUTOR"
    --conf spark.executor.resource.gpu.amount="$GPUS_PER_EXECUTOR"
    --conf spark.task.resource.gpu.amount=1
    --conf spark.executor.resource.gpu.discoveryScript=./gpu-discovery.sh
    # libtorch 2.7.1 for CUDA 12.8 from the executor image; Maven Central serves only the CPU build
    --conf spark.executorEnv.PYTORCH_LIBRARY_PATH="${PYTORCH_LIBRARY_PATH:-/opt/libtorch/lib}"
    --conf spark.executorEnv.PYTORCH_VERSION=2.7.1
    --conf spark.executorEnv.PYTORCH_FLAVOR=cu128
  )
fi
ship_config() {
  [[ -f "$1" ]] || { echo "submit-yarn.sh: --config $1: no such file" >&2; exit 2; }
  [[ "$1" != *,* ]] || { echo "submit-yarn.sh: --config $1: spark-submit --files cannot ship a path with a comma" >&2; exit 2; }
  FILES+=",$1"
}
ARGS=()
while (($#)); do
  case "$1" in
    --config) ship_config "${2:-}"; ARGS+=(--config "$(basename "$2")"); shift 2 ;;
    --config=*) ship_config "${1#--config=}"; ARGS+=("--config=$(basename "${1#--config=}")"); shift ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
exec "$SPARK_HOME/bin/spark-submit" --master yarn --deploy-mode cluster "${COMMON_CONF[@]}" \
  --num-executors "$RANKS" "${RESOURCE_CONF[@]}" --files "$FILES" \
  --class "$DYTRAIN_MAIN" "$DYTRAIN_JAR" ${ARGS[@]+"${ARGS[@]}"}
