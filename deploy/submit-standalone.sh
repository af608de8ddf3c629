#!/usr/bin/env bash
# A Spark standalone cluster. One rank per GPU: each executor offers GPUS_PER_EXECUTOR GPUs, each task
# takes one. Usage:
#   MASTER=spark://host:7077 RANKS=8 deploy/submit-standalone.sh train --ranks 8 --config configs/x.yaml --run-dir hdfs:///runs/x
set -euo pipefail
source "$(dirname "$0")/common.sh"
: "${MASTER:?spark://host:port of the standalone master}"
RANKS="${RANKS:-2}"
GPUS_PER_EXECUTOR="${GPUS_PER_EXECUTOR:-1}"
GPU_CONF=()
if [[ "$GPUS_PER_EXECUTOR" -gt 0 ]]; then
  GPU_CONF=(
    --conf spark.executor.resource.gpu.amount="$GPUS_PER_EXECUTOR"
    --conf spark.executor.resource.gpu.discoveryScript="$DYTRAIN_ROOT/deploy/gpu-discovery.sh"
    --conf spark.task.resource.gpu.amount=1
    --conf spark.executor.cores="$GPUS_PER_EXECUTOR"
    # libtorch 2.7.1 for CUDA 12.8 from the executor image; Maven Central serves only the CPU build
    --conf spark.executorEnv.PYTORCH_LIBRARY_PATH="${PYTORCH_LIBRARY_PATH:-/opt/libtorch/lib}"
    --conf spark.executorEnv.PYTORCH_VERSION=2.7.1
    --conf spark.executorEnv.PYTORCH_FLAVOR=cu128
  )
fi
exec "$SPARK_HOME/bin/spark-submit" --master "$MASTER" --deploy-mode client "${COMMON_CONF[@]}" "${GPU_CONF[@]}" \
  --class "$DYTRAIN_MAIN" "$DYTRAIN_JAR" "$@"
