#!/usr/bin/env bash
# Kubernetes: executors run the image built from deploy/Dockerfile, one GPU each. Usage:
#   K8S=https://apiserver:6443 IMAGE=registry/dytrain:0.1.0 RANKS=8 deploy/submit-k8s.sh train --ranks 8 --config /opt/dytrain/configs/x.yaml --run-dir s3a://bucket/runs/x
set -euo pipefail
source "$(dirname "$0")/common.sh"
: "${K8S:?https://host:port of the Kubernetes API server}"
: "${IMAGE:?the dytrain container image (deploy/Dockerfile)}"
RANKS="${RANKS:-2}"
exec "$SPARK_HOME/bin/spark-submit" --master "k8s://$K8S" --deploy-mode cluster "${COMMON_CONF[@]}" \
  --conf spark.kubernetes.container.image="$IMAGE" \
  --conf spark.executor.instances="$RANKS" --conf spark.executor.cores=1 \
  --conf spark.executor.resource.gpu.amount=1 --conf spark.executor.resource.gpu.vendor=nvidia.com \
  --conf spark.executor.resource.gpu.discoveryScript=/opt/dytrain/deploy/gpu-discovery.sh \
  --conf spark.task.resource.gpu.amount=1 \
  --conf spark.executorEnv.PYTORCH_LIBRARY_PATH=/opt/libtorch/lib \
  --conf spark.executorEnv.PYTORCH_VERSION=2.7.1 --conf spark.executorEnv.PYTORCH_FLAVOR=cu128 \
  --class "$DYTRAIN_MAIN" "local:///opt/dytrain/dytrain-dist.jar" "$@"
