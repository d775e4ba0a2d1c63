#!/usr/bin/env bash
# Throughput and peak memory of prepare, batch ranking and (with IMAGES=1) textualize on the synthetic log: the
# single-machine commands against the Spark jobs in local[1] and local[2].
# Usage: [IMAGES=1] [UNTRAINED=1] mllmrec-spark/scripts/measure.sh SIZE [ITEMS] (SIZE interactions, ITEMS default
# SIZE/10). UNTRAINED=1 ranks with an untrained SASRec over every item (UntrainedSasRec.java) instead of training one
# epoch, which takes hours at 10M interactions; ranking throughput does not depend on the weights.
# Needs `mvn -o -q -pl mllmrec-spark,mllmrec-examples -am package -DskipTests` and the class path of Spark in
# $SPARK_CP (docs/spark.md). Prints one TSV line per run: what, seconds (wall), peak RSS in MiB, the job's summary.
set -euo pipefail
cd "$(dirname "$0")/../.."
size=$1
items=${2:-$((size / 10))}
root=${MEASURE_DIR:-/tmp/mllmrec-spark-measure}/$size
opens=$(cat mllmrec-spark/java-opens.txt)
spark=(java -Dai.djl.offline=true -Xmx6g $opens -cp "mllmrec-spark/target/mllmrec-spark.jar:$SPARK_CP"
       dev.mllmrec.spark.cli.SparkMain)
single=(java -Dai.djl.offline=true -Dmllmrec.relaunch=false "-Xmx${SINGLE_XMX:-6g}" -jar mllmrec-examples/target/mllmrec.jar)
mkdir -p "$root"
measure() {  # name, command...
  local name=$1; shift
  /usr/bin/time -f '%e %M' -o "$root/time" "$@" > "$root/$name.out" 2> "$root/$name.err" || {
    echo "$name failed:"; tail -5 "$root/$name.err"; return 1; }
  read -r secs kib < "$root/time"
  printf '%s\t%s\t%s\t%s\n' "$name" "$secs" "$((kib / 1024))" "$(tail -c 400 "$root/$name.out" | tr '\n' ' ')"
}
images=()
[ "${IMAGES:-0}" = 1 ] && images=(--images)
[ -f "$root/data/ratings.csv" ] || measure generate "${spark[@]}" generate --out "$root/data" --items "$items" \
  --interactions "$size" "${images[@]}"
measure single-prepare "${single[@]}" prepare --movielens "$root/data" --work-dir "$root/w"
for n in 1 2; do
  measure "spark-prepare-local$n" "${spark[@]}" prepare --master "local[$n]" --interactions "$root/data/ratings.csv" \
    --out "$root/s$n" --conf spark.sql.shuffle.partitions=$((4 * n))
done
# Ranking throughput does not depend on the weights: one epoch of one window per user with the sampled (BCE) loss,
# whose step does not grow with the catalog (the full softmax over 100k items at 1M did not finish in an hour).
if [ "${UNTRAINED:-0}" = 1 ] && [ ! -d "$root/w/checkpoints/sasrec" ]; then
  java -Dai.djl.offline=true -cp mllmrec-examples/target/mllmrec.jar mllmrec-spark/scripts/UntrainedSasRec.java \
    "$root/data/movies.csv" "$root/w/checkpoints/sasrec" > "$root/train.out" 2>&1
fi
[ -d "$root/w/checkpoints/sasrec" ] || "${single[@]}" train-sasrec --work-dir "$root/w" --epochs 1 \
  --windows-per-user 1 --loss bce --patience 0 > "$root/train.out" 2>&1
measure single-evaluate-sasrec-neg99 "${single[@]}" evaluate --work-dir "$root/w" --model sasrec --negatives 99
samples=$(ls -d "$root"/w/samples/test-neg99-*)/samples.jsonl
for n in 1 2; do
  measure "spark-rank-local$n-neg99" "${spark[@]}" rank --master "local[$n]" --samples "$samples" \
    --negatives 99 --model-path "$root/w/checkpoints/sasrec" --out "$root/r$n" --partitions $((2 * n))
done
if [ "${IMAGES:-0}" = 1 ]; then
  measure single-textualize "${single[@]}" textualize --work-dir "$root/w"
  for n in 1 2; do
    measure "spark-textualize-local$n" "${spark[@]}" textualize --master "local[$n]" \
      --catalog "$root/w/catalog.jsonl" --out "$root/t$n" --partitions $((2 * n))
  done
fi
