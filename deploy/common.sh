# Shared by the submit scripts: the dytrain jar, the main class and the JVM options every driver and
# executor needs (Spark's Java 17 --add-opens are added by spark-submit itself; DJL must stay offline).
DYTRAIN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DYTRAIN_JAR="${DYTRAIN_JAR:-$DYTRAIN_ROOT/cli/target/dytrain-dist.jar}"
DYTRAIN_MAIN=dytrain.cli.Dytrain
if [[ ! -f "$DYTRAIN_JAR" ]]; then
  echo "no $DYTRAIN_JAR: build it with (cd $DYTRAIN_ROOT && mvn -B -Pdist -DskipTests package)" >&2
  exit 2
fi
: "${SPARK_HOME:?set SPARK_HOME to a Spark 4.0.1 (Scala 2.13) distribution}"
DJL_OPTS="-Dai.djl.offline=true -Dai.djl.pytorch.num_interop_threads=1"
COMMON_CONF=(
  --conf "spark.driver.extraJavaOptions=$DJL_OPTS"
  --conf "spark.executor.extraJavaOptions=$DJL_OPTS"
  --conf spark.executorEnv.DJL_OFFLINE=true
  # transparent huge pages for libtorch's large tensors (glibc >= 2.35; see the dytrain launcher)
  --conf spark.executorEnv.GLIBC_TUNABLES=glibc.malloc.hugetlb=1
  # a rank that dies before the rendezvous must fail the stage in minutes, not hang for Spark's default year
  --conf spark.barrier.sync.timeout=600s
  --conf spark.dynamicAllocation.enabled=false
)
