#!/usr/bin/env bash
# A Spark standalone cluster on this machine, built from dytrain's own jars (no Spark distribution): one
# master and WORKERS workers on 127.0.0.1, one core each, so `--master spark://127.0.0.1:7077` runs the
# ranks in executor JVMs started by real workers, the way a standalone cluster does. For trying the
# standalone path by hand; CI does not run it (local-cluster mode covers executor JVMs in the tests).
#
#   tools/standalone-cluster.sh start [WORKERS]   # default 2; prints the command that trains on it
#   tools/standalone-cluster.sh status
#   tools/standalone-cluster.sh stop
#
# Environment: PORT (7077), WORKER_MEMORY (2g, what each worker offers its executor), STATE (where pids,
# logs and the workers' SPARK_HOME go; default target/standalone under the repository).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STATE="${STATE:-$ROOT/target/standalone}"
PORT="${PORT:-7077}"
MASTER_URL="spark://127.0.0.1:$PORT"

# The module that holds the dytrain command (spark-trainer, or cli once it has moved there).
APP=""
for module in cli spark-trainer; do
  if [[ -f "$ROOT/$module/target/classpath.txt" ]]; then APP="$ROOT/$module"; break; fi
done

# Spark's JavaModuleOptions and DJL's offline switch, as the ./dytrain launcher passes them.
JVM_FLAGS="-XX:+IgnoreUnrecognizedVMOptions --add-opens=java.base/java.lang=ALL-UNNAMED \
--add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
--add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED \
--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
--add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED \
--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
--add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED \
--add-opens=java.base/sun.util.calendar=ALL-UNNAMED --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED \
-Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true -Dai.djl.offline=true \
-Dai.djl.pytorch.num_interop_threads=1"

running() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  local workers="${1:-2}"
  if [[ -z "$APP" ]]; then
    echo "standalone-cluster: build dytrain first (./dytrain --help builds it, or mvn -B -DskipTests package)" >&2
    exit 2
  fi
  if running "$STATE/master.pid"; then
    echo "standalone-cluster: already running ($MASTER_URL); stop it first" >&2
    exit 2
  fi
  local jar
  jar="$(ls "$APP"/target/dytrain-*-SNAPSHOT.jar 2>/dev/null | head -1)"
  [[ -n "$jar" ]] || { echo "standalone-cluster: no jar in $APP/target; run mvn -B -DskipTests package" >&2; exit 2; }
  local cp="$jar:$(cat "$APP/target/classpath.txt")"
  # Workers start executors with $SPARK_HOME/jars on the classpath: a folder of links to dytrain's jars,
  # the way local-cluster mode does it (LocalCluster.java), so executors run exactly the driver's code.
  rm -rf "$STATE"
  mkdir -p "$STATE/home/jars"
  local entry
  IFS=: read -ra entries <<< "$cp"
  for entry in "${entries[@]}"; do
    [[ "$entry" == *.jar && -f "$entry" ]] && ln -sf "$entry" "$STATE/home/jars/"
  done
  export SPARK_HOME="$STATE/home" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1 DJL_OFFLINE=true
  # dytrain's own log4j2 settings show warnings only; the master's INFO lines say when workers register
  cat > "$STATE/master-log4j2.properties" <<'PROPS'
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
logger.master.name = org.apache.spark.deploy.master.Master
logger.master.level = info
PROPS
  # shellcheck disable=SC2086 # the flags are words
  nohup java $JVM_FLAGS -Xmx512m -Dlog4j.configurationFile="$STATE/master-log4j2.properties" -cp "$cp" \
    org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port "$PORT" --webui-port 0 > "$STATE/master.log" 2>&1 &
  echo $! > "$STATE/master.pid"
  local i
  for ((i = 1; i <= workers; i++)); do
    # Executors inherit the worker's environment: JAVA_TOOL_OPTIONS gives them the module flags, one
    # libtorch thread (one core per rank) and offline DJL without any setting in the job.
    JAVA_TOOL_OPTIONS="$JVM_FLAGS -Dai.djl.pytorch.num_threads=1" \
      nohup java -Xmx512m -cp "$cp" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 1 \
      --memory "${WORKER_MEMORY:-2g}" --webui-port 0 --work-dir "$STATE/work-$i" "$MASTER_URL" \
      > "$STATE/worker-$i.log" 2>&1 &
    echo $! > "$STATE/worker-$i.pid"
  done
  local deadline=$((SECONDS + 120))
  until [[ "$(grep -c 'Registering worker' "$STATE/master.log" 2>/dev/null || true)" -ge "$workers" ]]; do
    if ((SECONDS > deadline)); then
      echo "standalone-cluster: workers did not register in 120 s; see $STATE/*.log" >&2
      stop
      exit 1
    fi
    sleep 1
  done
  cat <<EOF
standalone cluster up: $MASTER_URL, $workers worker(s) of one core (logs and pids in $STATE)
train on it, one rank per worker:
  SPARK_LOCAL_IP=127.0.0.1 ./dytrain train --master $MASTER_URL --ranks $workers --config C --run-dir DIR
  (train.global_batch_tokens must be a multiple of micro_batch_size x seq_len x ranks)
stop it: tools/standalone-cluster.sh stop
EOF
}

stop() {
  local pid_file
  for pid_file in "$STATE"/worker-*.pid "$STATE/master.pid"; do
    [[ -f "$pid_file" ]] || continue
    # only the processes this script started, by the ids it wrote down
    if running "$pid_file"; then kill "$(cat "$pid_file")"; fi
    rm -f "$pid_file"
  done
}

status() {
  local pid_file
  for pid_file in "$STATE/master.pid" "$STATE"/worker-*.pid; do
    [[ -f "$pid_file" ]] || continue
    if running "$pid_file"; then echo "$(basename "$pid_file" .pid): running"; else echo "$(basename "$pid_file" .pid): gone"; fi
  done
}

case "${1:-}" in
  start) start "${2:-2}" ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: tools/standalone-cluster.sh start [WORKERS] | status | stop" >&2; exit 2 ;;
esac
