package dev.mllmrec.examples.cli;

import dev.mllmrec.api.Recommender;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.JsonLines;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.data.PreparedData;
import dev.mllmrec.core.data.SampleCache;
import dev.mllmrec.core.data.Split;
import dev.mllmrec.core.eval.Evaluation;
import dev.mllmrec.core.eval.EvaluationReport;
import dev.mllmrec.core.eval.Evaluator;
import dev.mllmrec.core.onnx.OnnxSessionConfig;
import dev.mllmrec.core.rec.RankingView;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code evaluate}: ranks a split's samples with a model and writes HR@K, NDCG@K and MRR.
 *
 * <p>Not thread-safe: picocli creates one instance per invocation.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Ranks the candidates of every sample of a split with a model and writes "
                + "W/eval/<model>-neg<m>-<split>.json (HR@1/3/5/10, NDCG@1/3/5/10, MRR) and the per-user results "
                + "W/eval/<model>-neg<m>-<split>-users.jsonl.",
                "Models: random, popularity, markov, sasrec, sasrec-content (train-sasrec --item-features), sft, "
                + "grpo (the trained ones load their checkpoint from W/checkpoints/<model>), and pretrained with --base-model DIR (a Hugging Face folder)."})
public final class EvaluateCommand implements Callable<Integer> {

    @picocli.CommandLine.Mixin
    DeviceOption devices;

    @Option(names = "--work-dir", paramLabel = "W", required = true, description = "The prepared work directory.")
    Path workDir;

    @Option(names = "--model", paramLabel = "NAME", required = true,
            description = "The model: random, popularity, markov, sasrec, sasrec-content, sft, grpo or pretrained.")
    String model;

    @Option(names = "--base-model", paramLabel = "DIR",
            description = "With --model pretrained: a Hugging Face decoder folder (Llama, Qwen2, Qwen3) with its "
                    + "tokenizer.json, ranked with reference-style prompts by the likelihood of each whole answer.")
    Path baseModel;

    @Option(names = "--adapters", paramLabel = "DIR",
            description = "With --base-model: LoRA adapters saved for that base (merged for serving): a checkpoint "
                    + "directory, a checkpoint root (its latest) or a pointer file such as W/checkpoints/grpo/best.json.")
    Path adapters;

    @Option(names = "--chat-template", paramLabel = "auto|none", defaultValue = "auto",
            description = "With --base-model: auto wraps prompts in the chat template the adapters were trained "
                    + "with, or the base folder's own (tokenizer_config.json: ChatML, Qwen3 with thinking off, "
                    + "Llama 3.0); none uses plain prompts. Default: ${DEFAULT-VALUE}.")
    String chatTemplate;

    @Option(names = "--recommender", paramLabel = "MODE", defaultValue = "likelihood",
            description = "How sft and grpo rank: likelihood (every candidate by its answer's log-likelihood) or "
                    + "generative (the reference protocol: one greedy answer). Default: ${DEFAULT-VALUE}.")
    String recommenderMode;

    @Option(names = "--ranking-view", paramLabel = "VIEW",
            description = "Which prompts a likelihood ranking of sft or grpo scores each candidate under: "
                    + "candidates (the fine-tuning prompt, listing the candidates), history (the item-sequence "
                    + "pre-training prompt) or both (the sum). Default: history for the built-in policy's compact "
                    + "prompts, candidates otherwise.")
    String rankingView;

    @Option(names = "--negatives", paramLabel = "M", defaultValue = "9",
            description = "Negatives per sample (9 or 99 are prepared; others are sampled on demand). "
                    + "Default: ${DEFAULT-VALUE}.")
    int negatives;

    @Option(names = "--split", paramLabel = "SPLIT", defaultValue = "test",
            description = "test or validation. Default: ${DEFAULT-VALUE}.")
    String split;

    @Option(names = "--engine", paramLabel = "ENGINE", defaultValue = "djl",
            description = "What runs sasrec, sasrec-content, sft and grpo: djl (the checkpoint on libtorch) or onnx (the export that "
                    + "export-onnx wrote, on ONNX Runtime; the report is named <model>-onnx). Default: "
                    + "${DEFAULT-VALUE}.")
    String engine;

    @Option(names = "--onnx-dir", paramLabel = "DIR",
            description = "The ONNX export to rank with (default W/onnx/<model>).")
    Path onnxDir;

    @Option(names = "--onnx-threads", paramLabel = "N", defaultValue = "1",
            description = "ONNX Runtime intra-op threads (0: every core). Default: ${DEFAULT-VALUE}.")
    int onnxThreads;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42",
            description = "Seed of the model (random order, tie-breaking). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() throws Exception {
        devices.apply();
        long start = System.nanoTime();
        Split s = Split.parse(split);
        if (s == Split.TRAIN) {
            throw new IllegalArgumentException("Evaluate on the test or validation split, not on train.");
        }
        if (negatives < 1) {
            throw new IllegalArgumentException("--negatives must be at least 1, got " + negatives + ".");
        }
        WorkDir w = WorkDir.of(workDir);
        PreparedData data = PreparedData.load(w);
        SampleCache.Entry samples = data.samples(s, negatives);
        RecommenderFactory.Mode mode = switch (recommenderMode.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "likelihood" -> RecommenderFactory.Mode.LIKELIHOOD;
            case "generative" -> RecommenderFactory.Mode.GENERATIVE;
            default -> throw new IllegalArgumentException("Unknown --recommender '" + recommenderMode
                    + "'; use likelihood or generative.");
        };
        boolean pretrained = model.strip().equalsIgnoreCase(RecommenderFactory.PRETRAINED);
        if (pretrained != (baseModel != null)) {
            throw new IllegalArgumentException(pretrained ? "--model pretrained needs --base-model DIR."
                    : "--base-model goes with --model pretrained, not --model " + model + ".");
        }
        if (adapters != null && baseModel == null) {
            throw new IllegalArgumentException("--adapters needs --base-model DIR.");
        }
        RankingView view = rankingView == null ? null : RankingView.of(rankingView);
        if (view != null && (pretrained || mode != RecommenderFactory.Mode.LIKELIHOOD
                || !RecommenderFactory.POLICIES.contains(model.strip().toLowerCase(java.util.Locale.ROOT)))) {
            throw new IllegalArgumentException("--ranking-view applies to a likelihood ranking of sft or grpo, not to "
                    + "--model " + model + (mode != RecommenderFactory.Mode.LIKELIHOOD ? " --recommender "
                    + recommenderMode : "") + ".");
        }
        Recommender recommender = pretrained
                ? RecommenderFactory.pretrained(baseModel, adapters, data, seed, mode,
                        ChatTemplateOption.apply(chatTemplate))
                : switch (engine.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "djl" -> RecommenderFactory.create(model, data, seed, mode, view);
            case "onnx" -> {
                if (mode != RecommenderFactory.Mode.LIKELIHOOD) {
                    throw new IllegalArgumentException("--engine onnx ranks by likelihood only; drop "
                            + "--recommender " + recommenderMode + ".");
                }
                yield RecommenderFactory.onnx(model, data, onnxDir,
                        OnnxSessionConfig.builder().optIntraOpThreads(onnxThreads).build(), view);
            }
            default -> throw new IllegalArgumentException("Unknown --engine '" + engine + "'; use djl or onnx.");
        };
        Evaluation evaluation;
        try {
            evaluation = new Evaluator(64, true).evaluate(recommender, samples.samples());
        } finally {
            if (recommender instanceof AutoCloseable c) {
                c.close();
            }
        }

        String base = recommender.name() + "-neg" + negatives + "-" + s.id();
        Path resultsFile = w.eval().resolve(base + "-users.jsonl");
        Path reportFile = w.eval().resolve(base + ".json");
        JsonLines.write(resultsFile, evaluation.results());
        double seconds = CommandSupport.since(start);
        EvaluationReport report = new EvaluationReport(recommender.name(), data.catalog().name(), s.id(), negatives,
                evaluation.size(), evaluation.metrics(), seed, samples.directory().getFileName().toString(),
                resultsFile.getFileName().toString(), seconds);
        Json.writePretty(reportFile, report);
        print(System.out, report, reportFile);
        return 0;
    }

    private static void print(PrintStream out, EvaluationReport r, Path file) {
        out.println(r.model() + " on " + r.dataset() + " " + r.split() + ", " + r.users() + " users, 1 target + "
                + r.negatives() + " negatives (samples/" + r.samples() + ")");
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<String, Double> e : r.metrics().entrySet()) {
            rows.add(List.of(e.getKey(), CommandSupport.metric(e.getValue())));
        }
        CommandSupport.printTable(out, List.of("metric", "value"), rows);
        out.println("wrote " + file + " in " + CommandSupport.seconds(r.seconds()));
        out.flush();
    }
}
