#!/usr/bin/env bash
# dytrain on YARN with HDFS on this machine: runs MiniYarnTrainingTest, which starts a MiniDFSCluster and a
# MiniYARNCluster (two NodeManagers) in the test JVM, preps a small corpus on YARN executors into hdfs://,
# trains two ranks in YARN containers with checkpoints on hdfs:// and compares the result with local mode.
# Needs a few GB of memory and some minutes; not part of `mvn verify` (spark-trainer's pom excludes the test; -Dtest= brings it back).
set -euo pipefail
cd "$(dirname "$0")/.."
exec mvn -B -pl core,data-prep,spark-trainer verify -Dtest=MiniYarnTrainingTest -Dsurefire.failIfNoSpecifiedTests=false "$@"
