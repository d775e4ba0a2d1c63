package dev.mllmrec.core.cot;

import dev.mllmrec.api.Assessment;
import dev.mllmrec.api.Caption;
import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.CotGenerationException;
import dev.mllmrec.api.CotGenerator;
import dev.mllmrec.api.CotRequest;
import dev.mllmrec.api.CotTrace;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.JsonLines;
import dev.mllmrec.core.ProgressBar;
import dev.mllmrec.core.StopSignal;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.cot.assess.CombinedAssessor;
import dev.mllmrec.core.cot.augment.AugmentedSample;
import dev.mllmrec.core.cot.augment.MixedGrainedAugmenter;
import dev.mllmrec.core.cot.augment.PromptRenderer;
import dev.mllmrec.core.cot.augment.TrainingLine;
import dev.mllmrec.core.cot.augment.TrainingStage;
import dev.mllmrec.core.cot.io.AssessedCot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chain-of-thought stages over a work directory, each writing its files and {@code W/<command>/summary.json}:
 * <pre>
 * build-cot  W/cot.jsonl            CotTrace per training window (resumable: appends the missing ones)
 * assess     W/cot_assessed.jsonl   AssessedCot per trace, in sample order
 * augment    W/train_sft.jsonl | W/train_grpo.jsonl   TrainingLine per sample, in sample order
 * </pre>
 * Command-line programs are thin wrappers around these methods.
 *
 * <p>Thread-safe for distinct work directories.
 */
public final class CotPipeline {

    /** The build-cot command name. */
    public static final String BUILD_COT = "build-cot";
    /** The assess command name. */
    public static final String ASSESS = "assess";
    /** The augment command name. */
    public static final String AUGMENT = "augment";

    private static final Logger LOG = LoggerFactory.getLogger(CotPipeline.class);

    private CotPipeline() {
    }

    /** {@code W/cot.jsonl}. */
    public static Path cotFile(WorkDir w) {
        return w.root().resolve("cot.jsonl");
    }

    /** {@code W/cot_assessed.jsonl}. */
    public static Path assessedFile(WorkDir w) {
        return w.root().resolve("cot_assessed.jsonl");
    }

    /** {@code W/train_sft.jsonl} or {@code W/train_grpo.jsonl}. */
    public static Path trainFile(WorkDir w, TrainingStage stage) {
        return w.root().resolve("train_" + stage.id() + ".jsonl");
    }

    /** Reads {@code W/catalog.jsonl}. */
    public static Catalog catalog(WorkDir w) {
        if (!Files.isRegularFile(w.catalog())) {
            throw new IllegalArgumentException("No catalog at " + w.catalog() + "; run 'prepare' first.");
        }
        return Catalog.of(w.root().getFileName() == null ? "catalog" : w.root().getFileName().toString(),
                JsonLines.read(w.catalog(), Item.class));
    }

    /** Caption text by item id from {@code W/captions.jsonl} (the last line for an item wins); empty if absent. */
    public static Map<Integer, String> captions(WorkDir w) {
        Map<Integer, String> out = new HashMap<>();
        for (Caption c : JsonLines.read(w.captions(), Caption.class)) {
            out.put(c.itemId(), c.text());
        }
        return out;
    }

    /** The request a generator sees for a sample: its history, no target. */
    public static CotRequest request(RecommendationSample s) {
        return new CotRequest(s.sampleId(), s.userId(), s.history());
    }

    // ------------------------------------------------------------------ build-cot

    /**
     * What build-cot did.
     *
     * @param generator     the generator id
     * @param samples       training windows given
     * @param resumed       windows whose trace {@code cot.jsonl} already held
     * @param generated     traces written by this run
     * @param failed        windows whose generation failed (retried by the next run)
     * @param traces        windows with a trace now
     * @param valid         of those, traces that parsed into four steps
     * @param validFraction {@code valid / traces}
     * @param seconds       wall time of this run
     * @param threads       worker threads
     * @param cotFile       the file written
     */
    public record BuildCotSummary(String generator, int samples, int resumed, int generated, int failed, int traces,
                                  int valid, double validFraction, double seconds, int threads, String cotFile) {
    }

    /**
     * Writes a trace for every sample that {@code W/cot.jsonl} does not hold yet, {@code threads} at a time, in
     * chunks appended in sample order (so an uninterrupted run writes the same bytes whatever the thread count,
     * and a killed run resumes where it stopped).
     */
    public static BuildCotSummary buildCot(WorkDir w, List<RecommendationSample> samples, CotGenerator generator,
                                           int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("build-cot needs at least one thread, got " + threads + ".");
        }
        long start = System.nanoTime();
        Path file = cotFile(w);
        Set<String> done;
        try (JsonLines.Appender ignored = JsonLines.appender(file)) {
            // Opening the appender cuts a torn last line left by a killed run before it is read.
            done = JsonLines.read(file, CotTrace.class).stream().map(CotTrace::sampleId).collect(Collectors.toSet());
        }
        List<RecommendationSample> todo = samples.stream().filter(s -> !done.contains(s.sampleId())).toList();
        int resumed = samples.size() - todo.size();
        int generated = 0;
        int failed = 0;
        int chunk = Math.max(256, threads * 32);
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "build-cot");
            t.setDaemon(true);
            return t;
        });
        try (JsonLines.Appender out = JsonLines.appender(file);
             ProgressBar bar = new ProgressBar(BUILD_COT, todo.size(), "windows")) {
            for (int from = 0; from < todo.size(); from += chunk) {
                StopSignal.throwIfRequested(); // every finished chunk is already appended: resumable
                List<RecommendationSample> part = todo.subList(from, Math.min(todo.size(), from + chunk));
                List<Future<CotTrace>> futures = new ArrayList<>(part.size());
                for (RecommendationSample s : part) {
                    futures.add(pool.submit(() -> generator.generate(request(s))));
                }
                StringBuilder lines = new StringBuilder();
                for (int i = 0; i < futures.size(); i++) {
                    try {
                        CotTrace t = futures.get(i).get();
                        if (lines.length() > 0) {
                            lines.append('\n');
                        }
                        lines.append(Json.line(t));
                        generated++;
                    } catch (ExecutionException e) {
                        if (!(e.getCause() instanceof CotGenerationException)) {
                            throw new IllegalStateException("Generator " + generator.id() + " crashed on sample "
                                    + part.get(i).sampleId() + ": " + e.getCause(), e.getCause());
                        }
                        failed++;
                        LOG.warn("{}", e.getCause().getMessage());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("build-cot was interrupted.", e);
                    }
                    bar.step();
                }
                if (lines.length() > 0) {
                    out.appendRaw(lines.toString());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        Set<String> wanted = samples.stream().map(RecommendationSample::sampleId).collect(Collectors.toSet());
        Map<String, CotTrace> all = readTraces(file);
        int traces = 0;
        int valid = 0;
        for (CotTrace t : all.values()) {
            if (wanted.contains(t.sampleId())) {
                traces++;
                valid += t.valid() ? 1 : 0;
            }
        }
        BuildCotSummary summary = new BuildCotSummary(generator.id(), samples.size(), resumed, generated, failed,
                traces, valid, traces == 0 ? 0 : (double) valid / traces, (System.nanoTime() - start) / 1e9, threads,
                file.toString());
        Json.writePretty(w.summary(BUILD_COT), summary);
        return summary;
    }

    /** The traces of {@code file} by sample id (the first line for a sample wins), in file order. */
    public static Map<String, CotTrace> readTraces(Path file) {
        Map<String, CotTrace> out = new LinkedHashMap<>();
        for (CotTrace t : JsonLines.read(file, CotTrace.class)) {
            out.putIfAbsent(t.sampleId(), t);
        }
        return out;
    }

    /**
     * Appends traces from another source (for example an imported reference file) for samples that
     * {@code W/cot.jsonl} does not hold yet; returns how many were added.
     */
    public static int appendTraces(WorkDir w, List<CotTrace> traces) {
        Path file = cotFile(w);
        int added = 0;
        try (JsonLines.Appender out = JsonLines.appender(file)) {
            Set<String> done = readTraces(file).keySet();
            StringBuilder lines = new StringBuilder();
            for (CotTrace t : traces) {
                if (!done.contains(t.sampleId())) {
                    if (lines.length() > 0) {
                        lines.append('\n');
                    }
                    lines.append(Json.line(t));
                    added++;
                }
            }
            if (lines.length() > 0) {
                out.appendRaw(lines.toString());
            }
        }
        return added;
    }

    // ------------------------------------------------------------------ assess

    /**
     * What assess decided.
     *
     * @param total                  training windows given
     * @param missing                windows without a trace in {@code cot.jsonl}
     * @param assessed               traces assessed
     * @param kept                   traces kept
     * @param rejected               traces rejected
     * @param byReason               count per reason ({@code kept}, {@code leak:id}, {@code leak:title},
     *                               {@code invalid-format}, {@code below-threshold})
     * @param meanScoreKept          mean combined score of kept traces
     * @param meanScoreRejected      mean combined score of rejected traces
     * @param meanTargetRankKept     mean 1-based rank of the target among the candidates by retrieval similarity to
     *                               the kept traces (NaN without a retrieval scorer)
     * @param meanTargetRankRejected the same for rejected traces
     * @param meanCandidates         mean candidates per sample (random ranking averages {@code (n + 1) / 2})
     * @param config                 the assessor configuration and encoder
     * @param seconds                wall time
     * @param assessedFile           the file written
     */
    public record AssessSummary(int total, int missing, int assessed, int kept, int rejected,
                                Map<String, Integer> byReason, double meanScoreKept, double meanScoreRejected,
                                double meanTargetRankKept, double meanTargetRankRejected, double meanCandidates,
                                Map<String, Object> config, double seconds, String assessedFile) {
    }

    /**
     * Assesses every trace of {@code W/cot.jsonl} that belongs to a sample, writes {@code W/cot_assessed.jsonl} in
     * sample order, and summarises.
     *
     * @param provenance extra configuration to record (for example the encoder id)
     */
    public static AssessSummary assess(WorkDir w, List<RecommendationSample> samples, CombinedAssessor assessor,
                                       Map<String, Object> provenance) {
        long start = System.nanoTime();
        Map<String, CotTrace> traces = readTraces(cotFile(w));
        List<CotTrace> ts = new ArrayList<>();
        List<RecommendationSample> ss = new ArrayList<>();
        for (RecommendationSample s : samples) {
            CotTrace t = traces.get(s.sampleId());
            if (t != null) {
                ts.add(t);
                ss.add(s);
            }
        }
        List<Assessment> as;
        try (ProgressBar bar = new ProgressBar(ASSESS, ts.size(), "traces")) {
            as = assessor.assessAll(ts, ss, n -> {
                bar.step(n);
                StopSignal.throwIfRequested();
            });
        }
        List<AssessedCot> lines = new ArrayList<>(ts.size());
        Map<String, Integer> byReason = new TreeMap<>();
        double[] scoreSum = new double[2];
        double[] rankSum = new double[2];
        int[] rankCount = new int[2];
        int kept = 0;
        double candidates = 0;
        for (int i = 0; i < ts.size(); i++) {
            Assessment a = as.get(i);
            lines.add(new AssessedCot(ts.get(i), a));
            byReason.merge(a.reason(), 1, Integer::sum);
            int k = a.kept() ? 0 : 1;
            kept += a.kept() ? 1 : 0;
            scoreSum[k] += a.score();
            Double rank = a.scores().get("retrieval.rank");
            if (rank != null) {
                rankSum[k] += rank;
                rankCount[k]++;
            }
            candidates += ss.get(i).candidates().size();
        }
        JsonLines.write(assessedFile(w), lines);
        int rejected = ts.size() - kept;
        Map<String, Object> config = new LinkedHashMap<>(assessor.config());
        config.putAll(provenance);
        AssessSummary summary = new AssessSummary(samples.size(), samples.size() - ts.size(), ts.size(), kept,
                rejected, byReason, kept == 0 ? Double.NaN : scoreSum[0] / kept,
                rejected == 0 ? Double.NaN : scoreSum[1] / rejected,
                rankCount[0] == 0 ? Double.NaN : rankSum[0] / rankCount[0],
                rankCount[1] == 0 ? Double.NaN : rankSum[1] / rankCount[1],
                ts.isEmpty() ? Double.NaN : candidates / ts.size(), config, (System.nanoTime() - start) / 1e9,
                assessedFile(w).toString());
        Json.writePretty(w.summary(ASSESS), summary);
        return summary;
    }

    /** The assessed traces of {@code W/cot_assessed.jsonl} by sample id. */
    public static Map<String, AssessedCot> readAssessed(WorkDir w) {
        Map<String, AssessedCot> out = new LinkedHashMap<>();
        for (AssessedCot a : JsonLines.read(assessedFile(w), AssessedCot.class)) {
            out.putIfAbsent(a.trace().sampleId(), a);
        }
        return out;
    }

    // ------------------------------------------------------------------ augment

    /**
     * What augment wrote.
     *
     * @param stage    sft or grpo
     * @param mix      the realised mix and the request
     * @param rendered whether lines carry rendered prompts
     * @param file     the file written
     */
    public record AugmentSummary(String stage, MixedGrainedAugmenter.Mix mix, boolean rendered, String file) {
    }

    /**
     * Draws every sample's granularity from the kept traces of {@code W/cot_assessed.jsonl} and writes
     * {@code W/train_<stage>.jsonl} in sample order; with a {@code renderer} each line also carries its prompt.
     * The summary goes to {@code W/augment/summary.json} and {@code W/augment/summary-<stage>.json}.
     */
    public static AugmentSummary augment(WorkDir w, TrainingStage stage, List<RecommendationSample> samples,
                                         MixedGrainedAugmenter augmenter, PromptRenderer renderer) {
        Map<String, CotTrace> kept = new HashMap<>();
        for (AssessedCot a : readAssessed(w).values()) {
            if (a.assessment().kept()) {
                kept.put(a.trace().sampleId(), a.trace());
            }
        }
        MixedGrainedAugmenter.Result result = augmenter.augment(samples, kept);
        List<TrainingLine> lines = new ArrayList<>(samples.size());
        for (int i = 0; i < samples.size(); i++) {
            RecommendationSample s = samples.get(i);
            AugmentedSample a = result.samples().get(i);
            lines.add(new TrainingLine(s.sampleId(), s.userId(), s.history(), s.target(), s.candidates(),
                    a.granularity(), a.reasoning(), renderer == null ? null : renderer.render(s, a.reasoning())));
        }
        Path file = trainFile(w, stage);
        JsonLines.write(file, lines);
        AugmentSummary summary = new AugmentSummary(stage.id(), result.mix(), renderer != null, file.toString());
        Json.writePretty(w.summary(AUGMENT), summary);
        Json.writePretty(w.commandDir(AUGMENT).resolve("summary-" + stage.id() + ".json"), summary);
        if (result.mix().shortfall()) {
            LOG.warn("Only {} of {} samples have a kept trace: fewer than the {} requested were injected.",
                    result.mix().eligible(), result.mix().total(),
                    result.mix().requestedCot() + result.mix().requestedCriteria());
        }
        return summary;
    }
}
