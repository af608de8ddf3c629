#!/usr/bin/env bash
# dytrain on YARN with HDFS on this machine, in both deploy modes. Each test starts a MiniDFSCluster and a
# MiniYARNCluster (two NodeManagers) in the test JVM:
#   MiniYarnTrainingTest (spark-trainer): client mode; preps a small corpus on YARN executors into hdfs://,
#     trains two ranks in YARN containers with checkpoints on hdfs:// and compares with local mode.
#   MiniYarnClusterModeTest (cli): deploy/submit-yarn.sh in cluster mode through a SPARK_HOME whose
#     bin/spark-submit runs Spark's SparkSubmit; the driver runs in a container on the --config file the
#     script shipped there, two ranks train, and the result is compared with local mode.
# Needs a few GB of memory and some minutes; not part of `mvn verify` (the poms exclude both tests; -Dtest=
# brings them back). Extra arguments go to Maven, e.g. -Dtest=MiniYarnClusterModeTest for one of them.
set -euo pipefail
cd "$(dirname "$0")/.."
exec mvn -B -pl core,data-prep,spark-trainer,cli verify -Dtest='MiniYarnTrainingTest,MiniYarnClusterModeTest' \
  -Dsurefire.failIfNoSpecifiedTests=false "$@"
