#!/usr/bin/env bash
# Throughput and peak memory of assess (defaults: leakage, retrieval with MiniLM) and augment (sft, quota) on the
# first N MovieLens training windows: the single-machine commands against the Spark jobs in local[1] and local[2].
# Usage: mllmrec-spark/scripts/measure-cot.sh [N] (default 1000). Needs the packages and $SPARK_CP as measure.sh.
# Prints one TSV line per run: what, seconds (wall), peak RSS in MiB, the end of the job's summary.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-1000}
root=${MEASURE_DIR:-/tmp/mllmrec-spark-measure}/cot-$n
opens=$(cat mllmrec-spark/java-opens.txt)
spark=(java -Dai.djl.offline=true -Xmx4g $opens -cp "mllmrec-spark/target/mllmrec-spark.jar:$SPARK_CP"
       dev.mllmrec.spark.cli.SparkMain)
single=(java -Dai.djl.offline=true -Dmllmrec.relaunch=false -Xmx4g -jar mllmrec-examples/target/mllmrec.jar)
mkdir -p "$root"
measure() {  # name, command...
  local name=$1; shift
  /usr/bin/time -f '%e %M' -o "$root/time" "$@" > "$root/$name.out" 2> "$root/$name.err" || {
    echo "$name failed:"; tail -5 "$root/$name.err"; return 1; }
  read -r secs kib < "$root/time"
  printf '%s\t%s\t%s\t%s\n' "$name" "$secs" "$((kib / 1024))" "$(tail -c 300 "$root/$name.out" | tr '\n' ' ')"
}
w=$root/w
if [ ! -f "$w/cot.jsonl" ]; then
  "${single[@]}" prepare --movielens ../shared/data/movielens --work-dir "$w" > "$root/prepare.out" 2>&1
  head -n "$n" "$(ls -d "$w"/samples/train-*)/samples.jsonl" > "$root/train.jsonl"
  "${single[@]}" build-cot --work-dir "$w" --train-samples "$root/train.jsonl" > "$root/build-cot.out" 2>&1
fi
measure single-assess "${single[@]}" assess --work-dir "$w" --train-samples "$root/train.jsonl" --force --threads 2
for k in 1 2; do
  measure "spark-assess-local$k" "${spark[@]}" assess --master "local[$k]" --samples "$root/train.jsonl" \
    --cot "$w/cot.jsonl" --catalog "$w/catalog.jsonl" --out "$root/s$k" --partitions $((2 * k))
done
measure single-augment-sft "${single[@]}" augment --work-dir "$w" --train-samples "$root/train.jsonl" --stage sft
for k in 1 2; do
  measure "spark-augment-sft-local$k" "${spark[@]}" augment --master "local[$k]" --samples "$root/train.jsonl" \
    --assessed "$root/s$k/assessed" --stage sft --out "$root/s$k" --partitions $((2 * k))
done
