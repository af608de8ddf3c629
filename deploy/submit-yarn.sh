#!/usr/bin/env bash
# YARN (Hadoop 3 with GPU scheduling). Usage:
#   RANKS=8 deploy/submit-yarn.sh train --ranks 8 --config configs/x.yaml --run-dir hdfs:///runs/x
set -euo pipefail
source "$(dirname "$0")/common.sh"
RANKS="${RANKS:-2}"
exec "$SPARK_HOME/bin/spark-submit" --master yarn --deploy-mode cluster "${COMMON_CONF[@]}" \
  --num-executors "$RANKS" --executor-cores 1 \
  --conf spark.executor.resource.gpu.amount=1 \
  --conf spark.task.resource.gpu.amount=1 \
  --conf spark.executor.resource.gpu.discoveryScript=./gpu-discovery.sh \
  --files "$DYTRAIN_ROOT/deploy/gpu-discovery.sh" \
  --conf spark.executorEnv.PYTORCH_LIBRARY_PATH="${PYTORCH_LIBRARY_PATH:-/opt/libtorch/lib}" \
  --conf spark.executorEnv.PYTORCH_VERSION=2.7.1 --conf spark.executorEnv.PYTORCH_FLAVOR=cu128 \
  --class "$DYTRAIN_MAIN" "$DYTRAIN_JAR" "$@"
