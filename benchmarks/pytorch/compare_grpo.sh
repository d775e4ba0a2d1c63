#!/usr/bin/env bash
# The GRPO step and KV-cache decoding of mllmrec (GrpoStepBenchmark.step and .rollout, KvCacheGenerationBenchmark
# .withKvCache, JMH) and of their PyTorch eager twins (grpo_step.py, kv_generation.py), interleaved in one run:
# ROUNDS rounds of [PyTorch GRPO, JMH GRPO, PyTorch decoding, JMH decoding]. Prints every figure; take the medians
# and the per-round ratios (on a shared machine only figures of the same round compare).
#
#   benchmarks/pytorch/compare_grpo.sh [benchmarks.jar] [rounds] [prompt lengths, e.g. "64 256 1024"]
#
# Needs Debian's python3-torch with an optimised BLAS (libopenblas0-pthread, see docs/performance.md). Both sides
# run on one thread with glibc told to keep freed memory, as the mllmrec CLI does. JAVA_OPTS (for example a JFR
# recording, -XX:StartFlightRecording=filename=/tmp/grpo.jfr) is appended to the forked JMH JVMs.
set -euo pipefail
JAR=${1:-benchmarks/target/benchmarks.jar}
ROUNDS=${2:-3}
LENGTHS=${3:-"64 256 1024"}
HERE=$(cd "$(dirname "$0")" && pwd)
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
export MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TOP_PAD_=268435456 MALLOC_ARENA_MAX=1
PY=${PYTHON:-/usr/bin/python3}
JVM="-Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 -Dmllmrec.progress.off=true ${JAVA_OPTS:-}"
jmh() {
  java -jar "$JAR" "$@" -f 1 -foe true -jvmArgsAppend "$JVM" 2>&1 \
    | { grep -E "^(GrpoStepBenchmark|KvCacheGenerationBenchmark)|Exception|Error" || true; }
}
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round grpo: pytorch $("$PY" "$HERE/grpo_step.py")"
  jmh 'GrpoStepBenchmark.(step|rollout)$' -wi 1 -w 10 -i 3 -r 10 | sed "s/^/round $round grpo: djl /"
  "$PY" "$HERE/kv_generation.py" --prompt-length $LENGTHS | sed "s/^/round $round decode: pytorch /"
  P=$(echo $LENGTHS | tr ' ' ',')
  # Two warm-up iterations: with one, the first measured iteration at 1,024 tokens still runs 20-25% slow.
  jmh 'KvCacheGenerationBenchmark.withKvCache$' -p promptLength="$P" -wi 2 -w 5 -i 5 -r 5 \
    | sed "s/^/round $round decode: djl /"
done
