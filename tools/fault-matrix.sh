#!/usr/bin/env bash
# The fault matrix of RELIABILITY.md as commands: each case disturbs a real 2-rank run (executor JVMs, a
# real Spark scheduler) and checks that nothing was lost, i.e. that the last checkpoint's model.safetensors
# has the sha256 of an uninterrupted run of the same config. One verdict line per attempt, then a summary
# with counts. Run it niced on a shared machine; each attempt takes a few minutes on 2 busy cores.
#
#   tools/fault-matrix.sh executors [TIMES]  standalone cluster (tools/standalone-cluster.sh, 2 workers): SIGKILL
#                                            an executor JVM at KILLS (5) random steps of one run
#   tools/fault-matrix.sh hung-rank [TIMES]  SIGSTOP one rank's executor at a random step: the step must fail within
#                                            distributed.timeout_seconds (TIMEOUT, 10); then SIGCONT (HUNG=cont) or
#                                            SIGKILL (HUNG=kill) it, and the run must finish
#   tools/fault-matrix.sh driver [TIMES]     SIGKILL the driver (./dytrain train --ranks 2) at KILLS (3) random steps,
#                                            rerunning the same command after each
#   tools/fault-matrix.sh hostile [TIMES]    CONNECTS (6) connections to the ranks' all-reduce ports without the
#                                            secret while the run trains: garbage, a wrong handshake, or silence
#   tools/fault-matrix.sh spikes [TIMES]     bad batches: the corpus with GARBAGE (150) paragraphs of 520 random
#                                            printable characters (about one step's tokens each) planted among its
#                                            lines; each attempt (seed = attempt) trains it with train.outlier_z
#                                            (OUTLIER_Z, 5) and without, and the clean corpus with it; counts the
#                                            steps a nat above the clean run's loss that were skipped, and checks
#                                            that those 2 nats above after step LATE (250) all were and that the
#                                            guarded run ends with a validation loss no worse
#   tools/fault-matrix.sh soak [MINUTES]     a 2-rank run of MINUTES (30), sampling every SAMPLE (30) s the RSS,
#                                            the JVM's native memory (NMT) and the RSS outside the Java heap of
#                                            the driver and both executors into soak.csv; prints growth per hour
#
# Environment: STEPS (600; 3000 for hostile) and EVERY (50, train.checkpoint_every) of the run, SEED (for the random steps),
# STATE (target/fault-matrix: dataset, reference runs, attempts' run folders and logs), PORT (7177, the
# standalone master); for spikes GARBAGE (150), GARBAGE_SEED (1), OUTLIER_Z (5) and LATE (250). The dataset
# is the bundled corpus byte-tokenized; the model is configs/tiny.yaml. The spikes case has no reference run:
# its check is its own (above).
set -euo pipefail
trap 'exit 130' INT TERM # so the EXIT trap below stops what this script started
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
CASE="${1:-}"
STATE="${STATE:-$ROOT/target/fault-matrix}"
DATA="$STATE/data"
# hostile makes its connections over 10-20 s while the run trains; on an idle machine 600 steps of the tiny
# model take less than that, and the last connections found the run gone
[[ "$CASE" == hostile ]] && STEPS="${STEPS:-3000}"
STEPS="${STEPS:-600}"
EVERY="${EVERY:-50}"
TIMEOUT="${TIMEOUT:-10}"
KILLS="${KILLS:-}"
PORT="${PORT:-7177}"
SEED="${SEED:-$$}"
RANDOM="$SEED"
STEP_DIR="$(printf 'step-%08d' "$STEPS")"
DRIVER=""           # pid of the training command running now
STARTED_CLUSTER=""  # set when this script started the standalone cluster

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
}

cleanup() {
  # only what this script started, by the ids it kept
  if [[ -n "$DRIVER" ]] && kill -0 "$DRIVER" 2>/dev/null; then kill -9 "$DRIVER" 2>/dev/null || true; fi
  if [[ -n "$STARTED_CLUSTER" ]]; then STATE="$STATE/standalone" tools/standalone-cluster.sh stop || true; fi
}
trap cleanup EXIT

prepare() {
  "$ROOT/dytrain" --version > /dev/null # builds when the sources are newer than the build
  if [[ ! -f "$DATA/manifest.json" ]]; then
    echo "preparing $DATA from the bundled corpus (byte tokenizer)"
    "$ROOT/dytrain" prep --input data-prep/corpus/kjv.txt.gz --tokenizer byte --val-fraction 0.01 \
      --output "$DATA" --master 'local[1]' > "$STATE/prep.log" 2>&1
  fi
}

# The run every case trains: tiny.yaml, 2 ranks, 512 tokens per step. max_attempts leaves room for the kills.
train_args() { # RUN_DIR MAX_ATTEMPTS
  TRAIN=(train --config configs/tiny.yaml --ranks 2 --run-dir "$1"
    --set "data.dataset=$DATA" --set model.vocab_size=258 --set "train.steps=$STEPS"
    --set train.micro_batch_size=4 --set train.global_batch_tokens=512 --set "train.checkpoint_every=$EVERY"
    --set train.eval_every=100 --set train.eval_batches=4 --set train.peak_flops=1e9
    --set "distributed.timeout_seconds=$TIMEOUT" --set "distributed.max_attempts=$2")
}

# Trains RUN_DIR from start to end in one attempt, logging to RUN_DIR.log; its exit code is RC.
run_to_end() { # RUN_DIR [extra args]
  local run="$1"
  shift
  train_args "$run" 1
  start_run "$run.log" "$@"
  finish_run
}

# Starts the training command in the background; its pid is DRIVER.
start_run() { # LOG [extra args]
  local log="$1"
  shift
  "$ROOT/dytrain" "${TRAIN[@]}" "$@" > "$log" 2>&1 &
  DRIVER=$!
}

# Waits for the running command; its exit code is RC.
finish_run() {
  RC=0
  { wait "$DRIVER"; } 2> /dev/null || RC=$? # bash's "Killed" notice for a process killed on purpose
  DRIVER=""
}

# How many steps rank 0 has logged as done (metrics.csv, rewritten whole every 2 s, counts from 0).
step_of() {
  local f="$1/metrics.csv" last
  [[ -f "$f" ]] || { echo 0; return; }
  last="$(tail -n 1 "$f" 2>/dev/null | cut -d, -f1)"
  if [[ "$last" =~ ^[0-9]+$ ]]; then echo $((last + 1)); else echo 0; fi
}

# Waits until the run has logged step TARGET; fails if the command ends first.
await_step() { # RUN TARGET
  while (($(step_of "$1") < $2)); do
    kill -0 "$DRIVER" 2>/dev/null || return 1
    sleep 0.3
  done
}

final_sha() { # RUN -> sha256 of the last checkpoint's weights, or "none"
  local dir="$1/checkpoints/$STEP_DIR"
  if [[ -f "$dir/DONE" ]]; then sha256sum "$dir/model.safetensors" | cut -c1-64; else echo none; fi
}

# The uninterrupted run every attempt is compared with, made once per STEPS and EVERY.
reference() {
  REF="$STATE/reference-$STEPS-$EVERY"
  if [[ "$(final_sha "$REF")" == none ]]; then
    echo "uninterrupted reference run: $REF"
    rm -rf "$REF"
    run_to_end "$REF"
    if ((RC != 0)); then echo "the reference run failed (exit $RC); see $REF.log" >&2; exit 1; fi
  fi
  REF_SHA="$(final_sha "$REF")"
  echo "reference: $REF, $STEP_DIR/model.safetensors sha256 ${REF_SHA:0:16}..."
}

# Waits until the driver writing LOG has launched its Nth attempt (it trims metrics.csv to the checkpoint
# it resumes from first, so rows a dying attempt flushed last no longer count); prints that checkpoint's step.
await_launch() { # LOG N
  while (($(grep -c "launching [0-9]* ranks" "$1" 2> /dev/null || true) < $2)); do
    kill -0 "$DRIVER" 2>/dev/null || return 1
    sleep 0.3
  done
  resumes "$1" | awk '{print $NF}'
}

# Random kill points, one in each of N equal slices of the run (away from its ends), ascending.
pick_steps() { # N
  local n="$1" span=$((STEPS - 60)) i
  TARGETS=()
  for ((i = 0; i < n; i++)); do
    TARGETS+=($((30 + i * span / n + RANDOM % (span / n))))
  done
}

# The steps the launches in LOG resumed from (0 for a fresh start), in order.
resumes() { # LOG...
  awk '/launching [0-9]+ ranks/ { s = "0"; if (match($0, /from the checkpoint at step [0-9]+/)) { s = substr($0, RSTART + 28, RLENGTH - 28) }
    printf "%s%s", (n++ ? " " : ""), s }' "$@"
}

executors_of() { # PID of a local-cluster driver, or worker pids -> executor JVM pids
  local p
  for p in "$@"; do pgrep -P "$p" -f CoarseGrainedExecutorBackend || true; done
}

# The folder an executor writes its stdout and stderr to (the work dir of its worker).
executor_logs() { # EXECUTOR_PID
  readlink "/proc/$1/cwd"
}

# The rank an executor trains now: the last "rank R: all-reduce on" line of its stderr.
rank_of() { # EXECUTOR_PID
  grep -ao 'rank [0-9]*: all-reduce on' "$(executor_logs "$1")/stderr" 2>/dev/null | tail -n 1 | cut -d' ' -f2 | tr -d :
}

verdict() { # NAME ATTEMPT TEXT SHA [CASE_OK: 0 when the case's own check failed]
  local ok=FAIL minutes=$(((SECONDS - ATTEMPT_START + 30) / 60))
  if [[ "$4" == "$REF_SHA" && "$RC" == 0 ]]; then EQUAL=$((EQUAL + 1)); fi
  if [[ "$4" == "$REF_SHA" && "$RC" == 0 && "${5:-1}" == 1 ]]; then ok=PASS; PASSED=$((PASSED + 1)); fi
  if [[ "$RC" == 0 ]]; then FINISHED=$((FINISHED + 1)); fi
  echo "$1 $2/$TIMES: $3; exit $RC after ${minutes} min; model.safetensors ${4:0:16}... $([[ "$4" == "$REF_SHA" ]] && echo equal || echo DIFFERENT) -> $ok"
}

summary() { # NAME EXTRA
  echo "summary $1: $TIMES attempt(s)$2; $FINISHED finished, $EQUAL bitwise equal to the uninterrupted run;" \
    "$PASSED passed, $((TIMES - PASSED)) failed (seed $SEED)"
  ((PASSED == TIMES))
}

case_executors() {
  local kills="${KILLS:-5}" a k workers=() w pid victim total=0 from
  if [[ ! -f "$STATE/standalone/master.pid" ]] || ! kill -0 "$(cat "$STATE/standalone/master.pid")" 2>/dev/null; then
    STATE="$STATE/standalone" PORT="$PORT" tools/standalone-cluster.sh start 2 > "$STATE/standalone.log"
    STARTED_CLUSTER=1
  fi
  for w in "$STATE"/standalone/worker-*.pid; do workers+=("$(cat "$w")"); done
  for ((a = 1; a <= TIMES; a++)); do
    ATTEMPT_START=$SECONDS
    local run="$STATE/executors-$a" log="$STATE/executors-$a.log" done_at=()
    rm -rf "$run"
    train_args "$run" $((kills + 3))
    pick_steps "$kills"
    SPARK_LOCAL_IP=127.0.0.1 start_run "$log" --master "spark://127.0.0.1:$PORT"
    for ((k = 0; k < kills; k++)); do
      # the attempt this kill is for trains past where it resumed: both executors run a rank
      from="$(await_launch "$log" $((k + 1)))" || break
      await_step "$run" $((TARGETS[k] > from + 10 ? TARGETS[k] : from + 10)) || break
      mapfile -t pid < <(executors_of "${workers[@]}")
      ((${#pid[@]} > 0)) || break
      victim="${pid[RANDOM % ${#pid[@]}]}"
      done_at+=("$(step_of "$run")")
      kill -9 "$victim"
      total=$((total + 1))
    done
    finish_run
    verdict executors "$a" "SIGKILLed an executor at steps ${done_at[*]}; launches resumed from: $(resumes "$log")" \
      "$(final_sha "$run")"
  done
  summary executors ", $total executor kills"
}

case_driver() {
  local kills="${KILLS:-3}" a k total=0 orphans=0 execs from
  for ((a = 1; a <= TIMES; a++)); do
    ATTEMPT_START=$SECONDS
    local run="$STATE/driver-$a" done_at=() logs=()
    rm -rf "$run" "$STATE/driver-$a".*.log
    train_args "$run" 3
    pick_steps "$kills"
    for ((k = 0; k <= kills; k++)); do
      logs+=("$STATE/driver-$a.$k.log")
      start_run "${logs[k]}" # the same command every time
      ((k < kills)) || break
      from="$(await_launch "${logs[k]}" 1)" || break
      await_step "$run" $((TARGETS[k] > from + 10 ? TARGETS[k] : from + 10)) || break
      execs="$(executors_of "$DRIVER")"
      done_at+=("$(step_of "$run")")
      kill -9 "$DRIVER"
      finish_run
      total=$((total + 1))
      # the executors notice their driver is gone and exit; one left training would race the rerun
      sleep 20
      for pid in $execs; do
        if kill -0 "$pid" 2>/dev/null; then orphans=$((orphans + 1)); echo "  executor $pid outlived its driver by 20 s"; fi
      done
    done
    finish_run
    verdict driver "$a" "SIGKILLed the driver at steps ${done_at[*]}; reruns resumed from: $(resumes "${logs[@]:1}")" \
      "$(final_sha "$run")"
  done
  summary driver ", $total driver kills, $orphans executor(s) outliving their driver"
}

case_hung_rank() {
  local how="${HUNG:-cont}" a t0 t1 victim failed_after=() reason rank
  for ((a = 1; a <= TIMES; a++)); do
    ATTEMPT_START=$SECONDS
    local run="$STATE/hung-$a" log="$STATE/hung-$a.log" stopped_at
    rm -rf "$run"
    train_args "$run" 3
    pick_steps 1
    start_run "$log"
    if ! await_step "$run" "${TARGETS[0]}"; then finish_run; verdict hung-rank "$a" "ended before the stop" none; continue; fi
    mapfile -t pid < <(executors_of "$DRIVER")
    victim="${pid[RANDOM % ${#pid[@]}]}"
    stopped_at="$(step_of "$run")"
    rank="$(rank_of "$victim")"
    kill -STOP "$victim"
    t0=$SECONDS
    while ! grep -q "attempt 1 failed" "$log" && ((SECONDS - t0 < 20 * TIMEOUT + 300)); do sleep 0.2; done
    t1=$SECONDS
    reason="$(grep -m1 -o "attempt 1 failed.*" "$log" | cut -c1-160 || echo "no failure seen")"
    if [[ "$how" == kill ]]; then kill -9 "$victim"; else kill -CONT "$victim"; fi
    failed_after+=($((t1 - t0)))
    finish_run
    verdict hung-rank "$a" "SIGSTOPped rank ${rank:-?}'s executor at step $stopped_at; the driver saw the failure after $((t1 - t0)) s \
(timeout $TIMEOUT s): '$reason'; then SIG$([[ $how == kill ]] && echo KILL || echo CONT); launches resumed from: \
$(resumes "$log")" "$(final_sha "$run")" "$(grep -q "attempt 1 failed" "$log" && echo 1 || echo 0)"
  done
  summary hung-rank ", failure seen after ${failed_after[*]} s (distributed.timeout_seconds = $TIMEOUT)"
}

# One connection without the secret: "garbage" (random bytes), "handshake" (a rank number, a proof and a
# nonce made with a wrong secret) or "silent" (connects, sends nothing). Prints how the rank answered:
# "closed" (it hung up within 5 s), "held" (it kept the connection open), "refused" (no listener).
hostile_connect() { # HOST PORT KIND
  local fd answer
  { exec {fd}<>"/dev/tcp/$1/$2"; } 2>/dev/null || { echo refused; return; }
  case "$3" in
    garbage) head -c 300 /dev/urandom >&"$fd" 2>/dev/null || true ;;
    handshake) { printf '\0\0\0\1'; head -c 64 /dev/urandom; } >&"$fd" 2>/dev/null || true ;;
  esac
  answer=closed
  if timeout 5 cat <&"$fd" > /dev/null 2>&1; then :; elif (($? == 124)); then answer=held; fi
  exec {fd}>&-
  echo "$answer"
}

case_hostile() {
  local connects="${CONNECTS:-6}" a c kinds=(garbage handshake silent) closed=0 sent=0 logged=0
  for ((a = 1; a <= TIMES; a++)); do
    ATTEMPT_START=$SECONDS
    local run="$STATE/hostile-$a" log="$STATE/hostile-$a.log" answers=() dirs=() ports=() n m
    rm -rf "$run"
    train_args "$run" 3
    start_run "$log"
    await_step "$run" 20 || true
    mapfile -t pid < <(executors_of "$DRIVER")
    for p in "${pid[@]}"; do dirs+=("$(executor_logs "$p")"); done
    mapfile -t ports < <(grep -ho 'all-reduce on [0-9.]*:[0-9]*' "${dirs[@]/%//stderr}" | sed 's/all-reduce on //')
    for ((c = 0; c < connects && ${#ports[@]} > 0; c++)); do
      local target="${ports[c % ${#ports[@]}]}" kind="${kinds[c % 3]}"
      answers+=("$kind@${target##*:}:$(hostile_connect "${target%:*}" "${target##*:}" "$kind")")
      sent=$((sent + 1))
      sleep $((1 + RANDOM % 3))
    done
    finish_run
    n="$(cat "${dirs[@]/%//stderr}" | grep -c 'refused a connection' || true)"
    m="$(printf '%s\n' "${answers[@]}" | grep -c ':closed$' || true)"
    logged=$((logged + n))
    closed=$((closed + m))
    verdict hostile "$a" "${#answers[@]} connections during training (kind@port:answer): ${answers[*]}; \
$n refusal(s) in the ranks' logs; launches resumed from: $(resumes "$log")" "$(final_sha "$run")" \
      "$((m == ${#answers[@]} && n == ${#answers[@]} ? 1 : 0))"
  done
  summary hostile ", $sent hostile connections, $closed closed by the rank, $logged refusals logged"
}

# The bundled corpus with GARBAGE paragraphs of random printable characters, each its own document (blank
# lines around it), planted after random lines: a bad batch as a scraped page of binary junk would make one.
prepare_spiked() {
  local n="${GARBAGE:-150}" seed="${GARBAGE_SEED:-1}"
  SPIKED="$STATE/spiked-data-$n-$seed"
  if [[ ! -f "$SPIKED/manifest.json" ]]; then
    echo "preparing $SPIKED: the bundled corpus with $n garbage paragraphs"
    mkdir -p "$STATE/spiked-corpus"
    zcat data-prep/corpus/kjv.txt.gz | awk -v n="$n" -v seed="$seed" '
      BEGIN { srand(seed) }
      { line[NR] = $0 }
      END {
        while (planted < n) { at = 1 + int(rand() * NR); if (!(at in after)) { after[at] = 1; planted++ } }
        for (l = 1; l <= NR; l++) {
          print line[l]
          if (l in after) {
            g = ""
            for (c = 0; c < 520; c++) g = g sprintf("%c", 33 + int(rand() * 94))
            print ""; print g; print ""
          }
        }
      }' | gzip > "$STATE/spiked-corpus/kjv-spiked-$n-$seed.txt.gz"
    "$ROOT/dytrain" prep --input "$STATE/spiked-corpus/kjv-spiked-$n-$seed.txt.gz" --tokenizer byte \
      --val-fraction 0.01 --output "$SPIKED" --master 'local[1]' > "$STATE/spiked-prep.log" 2>&1 ||
      { echo "preparing $SPIKED failed; see $STATE/spiked-prep.log" >&2; exit 1; }
  fi
}

case_spikes() {
  local a bad=0 caught=0 big=0 big_caught=0 late_bad=0 late_caught=0 clean_flags=0 z="${OUTLIER_Z:-5}"
  prepare_spiked
  for ((a = 1; a <= TIMES; a++)); do
    ATTEMPT_START=$SECONDS
    local base="$STATE/spikes-$a"
    rm -rf "$base"-*
    run_to_end "$base-guarded" --set "data.dataset=$SPIKED" --set "seed=$a" --set "train.outlier_z=$z"
    local rc_guarded=$RC
    run_to_end "$base-off" --set "data.dataset=$SPIKED" --set "seed=$a"
    local rc_off=$RC
    run_to_end "$base-clean" --set "seed=$a" --set "train.outlier_z=$z"
    local rc_clean=$RC f
    for f in "$base"-{guarded,off,clean}/{metrics,eval}.csv; do
      if [[ ! -f "$f" ]]; then
        echo "spikes $a/$TIMES: no $f; exits $rc_guarded/$rc_off/$rc_clean (logs: $base-*.log) -> FAIL"
        continue 2
      fi
    done
    # Steps past the detector's warm-up whose loss is a nat or more above the clean run's at the same step
    # (garbage in a quarter of the step's windows or more, inferred from the loss: the clean run trains other
    # batches) are bad; other flags (mostly the gradient norm jumping, as it does on clean data too, some
    # steps with less garbage) cost one step's progress each. A z-score against the last 128
    # steps cannot see a spike while those steps still hold the first ones' fast fall (their spread is
    # large), so bad steps are counted before and after step LATE (250); the check is that every step 2
    # nats or more above the clean run after LATE is skipped, and that the guard's run ends no worse.
    local line counts late="${LATE:-250}"
    # warm_up: OutlierDetector.WARM_UP, the steps the detector judges nothing in
    line="$(awk -F, -v late="$late" -v warm_up=32 '
      FNR == 1 { file++; next }
      file == 1 { clean[$1] = $2; next }
      file == 2 && $1 >= warm_up && ($1 in clean) {
        d = $2 - clean[$1]; step = sprintf("%d(%+.2f)", $1, d); flagged = ($13 == 1 && $12 == 1)
        if (d >= 1) {
          bad++; caught += flagged; if (!flagged) missed = missed " " step
          if ($1 >= late) { latebad++; latecaught += flagged; if (d >= 2) { big++; bigcaught += flagged } }
        } else if ($13 == 1) { other++; others = others " " step }
      }
      file == 3 && $13 == 1 { cleanflags++ }
      END {
        printf "%d %d %d %d %d %d %d|", bad, caught, big, bigcaught, cleanflags, latebad, latecaught
        printf "%d steps a nat or more above the clean run, %d flagged and skipped (before step %d: %d of %d; ", bad, caught, late, caught - latecaught, bad - latebad
        printf "after: %d of %d, and %d of %d of 2 nats or more; missed:%s); ", latecaught, latebad, bigcaught, big, missed
        printf "%d other step(s) flagged (step(+loss over clean):%s); %d flagged on the clean corpus", other, others, cleanflags
      }' "$base-clean/metrics.csv" "$base-guarded/metrics.csv" "$base-clean/metrics.csv")"
    read -r -a counts <<< "${line%%|*}"
    bad=$((bad + counts[0])); caught=$((caught + counts[1])); big=$((big + counts[2])); big_caught=$((big_caught + counts[3]))
    clean_flags=$((clean_flags + counts[4])); late_bad=$((late_bad + counts[5])); late_caught=$((late_caught + counts[6]))
    local val_guarded val_off ok=FAIL
    val_guarded="$(tail -n 1 "$base-guarded/eval.csv" | cut -d, -f2)"
    val_off="$(tail -n 1 "$base-off/eval.csv" | cut -d, -f2)"
    RC=$((rc_guarded + rc_off + rc_clean))
    if ((RC == 0 && counts[2] == counts[3])) && [[ "$val_guarded$val_off" =~ ^[0-9.]+$ ]] &&
      awk -v g="$val_guarded" -v o="$val_off" 'BEGIN { exit !(g + 0 <= o + 0) }'; then
      ok=PASS; PASSED=$((PASSED + 1))
    fi
    echo "spikes $a/$TIMES: ${line#*|}; final val loss $val_guarded with the guard, $val_off without;" \
      "exits $rc_guarded/$rc_off/$rc_clean; $(((SECONDS - ATTEMPT_START + 30) / 60)) min -> $ok"
  done
  echo "summary spikes: $TIMES attempt(s), train.outlier_z=$z; $caught of $bad bad steps flagged and skipped" \
    "($late_caught of $late_bad after step ${LATE:-250}, $big_caught of $big of 2 nats or more there);" \
    "$clean_flags step(s) flagged on the clean corpus; $PASSED passed, $((TIMES - PASSED)) failed"
  ((PASSED == TIMES))
}

# RSS from /proc and the JVM's own native memory (NMT: heap, metaspace, threads, GC, direct buffers). libtorch
# allocates with glibc malloc, which NMT does not see: its memory shows only in RSS.
sample() { # ELAPSED STEP ROLE PID
  local rss nmt committed heap range outside
  rss="$(awk '/^VmRSS:/ {print $2}' "/proc/$4/status" 2>/dev/null)" || return 0
  nmt="$(jcmd "$4" VM.native_memory summary 2>/dev/null || true)"
  committed="$(sed -n 's/^Total: reserved=[0-9]*KB, committed=\([0-9]*\)KB.*/\1/p' <<< "$nmt")"
  heap="$(sed -n 's/.*Java Heap (reserved=[0-9]*KB, committed=\([0-9]*\)KB.*/\1/p' <<< "$nmt")"
  # the resident memory outside the Java heap's address range: RSS minus NMT's committed memory would count
  # committed heap pages that were never touched, and G1 touches them over minutes, which looked like growth
  range="$(jcmd "$4" GC.heap_info 2>/dev/null | sed -n 's/.*\[0x\([0-9a-f]*\), *0x\([0-9a-f]*\)).*/\1 \2/p' | head -1)"
  if [[ -n "$range" ]]; then
    outside="$(awk -v lo="${range% *}" -v hi="${range#* }" '
      function pad(x) { while (length(x) < 16) x = "0" x; return x }
      /^[0-9a-f]+-[0-9a-f]+ / { split($1, a, "-"); s = pad(a[1]); inheap = (s >= pad(lo) && s < pad(hi)) }
      /^Rss:/ && !inheap { kb += $2 }
      END { print kb + 0 }' "/proc/$4/smaps" 2>/dev/null)"
  fi
  echo "$1,$2,$3,$4,$rss,${committed:-},${heap:-},${outside:-}"
}

case_soak() {
  local minutes="${1:-30}" every="${SAMPLE:-30}" run="$STATE/soak" csv="$STATE/soak.csv" t0 e p pids
  STEPS="${STEPS_SOAK:-1000000}"
  rm -rf "$run"
  train_args "$run" 1
  TRAIN+=(--set train.checkpoint_every=500)
  echo "elapsed_s,step,process,pid,rss_kb,nmt_committed_kb,nmt_heap_committed_kb,rss_outside_heap_kb" > "$csv"
  rm -f "$STATE"/soak-gc-*.log
  # every JVM of the run (driver, executors): NMT for jcmd, and a GC log whose heap-after-collection lows are
  # its live data, telling a leak from a heap the collector merely sized up
  JAVA_TOOL_OPTIONS="-XX:NativeMemoryTracking=summary -Xlog:gc:file=$STATE/soak-gc-%p.log:uptime" \
    start_run "$STATE/soak.log"
  t0=$SECONDS
  while kill -0 "$DRIVER" 2>/dev/null && ((SECONDS - t0 < minutes * 60)); do
    e=$((SECONDS - t0))
    sample "$e" "$(step_of "$run")" driver "$DRIVER" >> "$csv"
    pids="$(executors_of "$DRIVER")"
    for p in $pids; do sample "$e" "$(step_of "$run")" "executor-$(tr '\0' ' ' < "/proc/$p/cmdline" \
      | sed -n 's/.*--executor-id \([0-9]*\).*/\1/p')" "$p" >> "$csv"; done
    sleep "$every"
  done
  local ended="run still training"
  if kill -0 "$DRIVER" 2>/dev/null; then kill -TERM "$DRIVER"; finish_run; else finish_run; ended="run ended early, exit $RC"; fi
  echo "soak: $((SECONDS - t0)) s, last step $(step_of "$run"), $ended; samples in $csv"
  # least-squares slope per process over the samples after the first 5 minutes (start-up and warm-up)
  awk -F, 'NR > 1 && $1 >= 300 && $5 != "" {
      k = $3; n[k]++; sx[k] += $1; sy[k] += $5; sxx[k] += $1 * $1; sxy[k] += $1 * $5
      if ($6 != "") { m[k]++; tx[k] += $1; ty[k] += $6; txx[k] += $1 * $1; txy[k] += $1 * $6 }
      if ($8 != "") { q[k]++; ux[k] += $1; uy[k] += $8; uxx[k] += $1 * $1; uxy[k] += $1 * $8 }
      if (!(k in first)) { first[k] = $5; firsto[k] = $8 } last[k] = $5; lasto[k] = $8 }
    function slope(n, sx, sy, sxx, sxy) { return n > 1 ? (n * sxy - sx * sy) / (n * sxx - sx * sx) * 3600 / 1024 : 0 }
    END {
      printf "%-11s %8s %10s %10s %12s %12s %21s %16s\n", "process", "samples", "RSS first", "RSS last", "RSS MB/hour",
        "NMT MB/hour", "RSS outside the heap", "its MB/hour"
      for (k in n) {
        printf "%-11s %8d %7.1f MB %7.1f MB %12.2f %12.2f %9.1f -> %6.1f MB %16.2f\n", k, n[k], first[k] / 1024, last[k] / 1024,
          slope(n[k], sx[k], sy[k], sxx[k], sxy[k]), slope(m[k], tx[k], ty[k], txx[k], txy[k]), firsto[k] / 1024,
          lasto[k] / 1024, slope(q[k], ux[k], uy[k], uxx[k], uxy[k])
      }
    }' "$csv"
  # the Java heap after collections, lowest in the first and the last 10 minutes of each JVM (after 5 of warm-up)
  printf '%-11s %24s %24s\n' process "heap after GC, 5-15 min" "heap after GC, last 10"
  awk -F, 'NR > 1 && !seen[$4]++ { print $3, $4 }' "$csv" | while read -r name pid; do
    [[ -f "$STATE/soak-gc-$pid.log" ]] || continue
    awk -v name="$name" '
      match($0, /^\[[0-9.]+s\]/) && match($0, /->[0-9]+[KMG]\(/) {
        t = substr($0, 2, index($0, "s]") - 2) + 0
        v = substr($0, RSTART + 2, RLENGTH - 4); u = substr($0, RSTART + RLENGTH - 2, 1)
        mb = v / (u == "K" ? 1024 : 1) * (u == "G" ? 1024 : 1)
        n++; ts[n] = t; after[n] = mb; if (t > end) end = t
      }
      END {
        a = -1; b = -1
        for (i = 1; i <= n; i++) {
          if (ts[i] >= 300 && ts[i] < 900 && (a < 0 || after[i] < a)) a = after[i]
          if (ts[i] >= end - 600 && (b < 0 || after[i] < b)) b = after[i]
        }
        printf "%-11s %21.0f MB %21.0f MB\n", name, a, b
      }' "$STATE/soak-gc-$pid.log"
  done
}

[[ -n "$CASE" ]] || usage
mkdir -p "$STATE"
TIMES="${2:-1}"
FINISHED=0
EQUAL=0
PASSED=0
case "$CASE" in
  executors | driver | hung-rank | hostile)
    prepare
    reference
    "case_${CASE//-/_}"
    ;;
  spikes)
    prepare
    case_spikes
    ;;
  soak)
    prepare
    case_soak "${2:-30}"
    ;;
  *) usage ;;
esac
