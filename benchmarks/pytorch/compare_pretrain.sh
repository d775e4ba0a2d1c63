#!/usr/bin/env bash
# The pre-training step of mllmrec (PretrainStepBenchmark, JMH) and of its PyTorch eager twin (pretrain_step.py),
# interleaved in one run: ROUNDS rounds of [PyTorch, JMH] per vocabulary size, each JMH run one fork with 3
# measured iterations, each PyTorch run 3 repetitions. Prints every figure; take the medians.
#
#   [CONTENT=413] benchmarks/pytorch/compare_pretrain.sh [benchmarks.jar] [rounds]
#
# CONTENT (default 0) is the width of the items' content vectors (the pipeline's minilm+facets: 413).
#
# Needs Debian's python3-torch with an optimised BLAS (libopenblas0-pthread: with the reference BLAS that the
# package alone pulls in, PyTorch's matrix products are 3-4 times slower). Both sides run on one thread with glibc
# told to keep freed memory, as the mllmrec CLI does.
set -euo pipefail
JAR=${1:-benchmarks/target/benchmarks.jar}
ROUNDS=${2:-3}
CONTENT=${CONTENT:-0}
HERE=$(cd "$(dirname "$0")" && pwd)
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
export MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TOP_PAD_=268435456 MALLOC_ARENA_MAX=1
PY=${PYTHON:-/usr/bin/python3}
for round in $(seq 1 "$ROUNDS"); do
  for vocab in 7608 40000; do
    items=$([ "$vocab" -le 10000 ] && echo 2943 || echo 20000)
    steps=$([ "$vocab" -le 10000 ] && echo 30 || echo 10)
    echo "round $round vocab $vocab: pytorch $("$PY" "$HERE/pretrain_step.py" --vocab "$vocab" --items "$items" \
      --steps "$steps" --content "$CONTENT")"
    java -jar "$JAR" PretrainStepBenchmark -p vocab="$vocab" -p content="$CONTENT" -f 1 -wi 1 -w 5 -i 3 -r 5 -foe true 2>&1 \
      | { grep -E "^PretrainStepBenchmark|Exception|Error" || true; } | sed "s/^/round $round vocab $vocab: djl /"
  done
done
