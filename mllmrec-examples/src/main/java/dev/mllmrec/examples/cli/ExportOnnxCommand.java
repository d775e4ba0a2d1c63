package dev.mllmrec.examples.cli;

import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.api.Recommender;
import dev.mllmrec.api.ScoredItem;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.data.PreparedData;
import dev.mllmrec.core.data.Split;
import dev.mllmrec.core.lm.sft.SftCheckpoint;
import dev.mllmrec.core.onnx.OnnxManifest;
import dev.mllmrec.core.onnx.OnnxRecommender;
import dev.mllmrec.core.onnx.OnnxSessionConfig;
import dev.mllmrec.core.onnx.PolicyOnnxExporter;
import dev.mllmrec.core.onnx.SasRecOnnxExporter;
import dev.mllmrec.core.rec.AnswerScope;
import dev.mllmrec.core.rec.LikelihoodRecommender;
import dev.mllmrec.core.rec.RankingView;
import dev.mllmrec.core.rec.PolicyBundle;
import dev.mllmrec.core.sasrec.SasRecModel;
import dev.mllmrec.core.sasrec.SasRecRecommender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code export-onnx}: writes a trained SASRec or policy as an ONNX model of its ranking computation, with the
 * manifest (and tokenizer) that {@link OnnxRecommender} reads, then checks it against the DJL model.
 *
 * <p>Not thread-safe: picocli creates one instance per invocation.
 */
@Command(name = "export-onnx", mixinStandardHelpOptions = true,
        description = {"Exports a trained model's ranking computation to ONNX (opset 17, dynamic batch, sequence "
                + "and candidate axes): DIR/model.onnx, DIR/model.json (inputs, outputs, vocabulary) and, for a "
                + "policy, DIR/tokenizer.json. Then ranks --verify-samples test samples (--verify-negatives) with both DJL and ONNX "
                + "Runtime and reports the largest score difference. Summary: W/export-onnx/<model>.json.",
                "Serve the export with OnnxRecommender (no libtorch needed) or evaluate --engine onnx."})
public final class ExportOnnxCommand implements Callable<Integer> {

    static final String NAME = "export-onnx";

    @Option(names = "--work-dir", paramLabel = "W", required = true, description = "The work directory.")
    Path workDir;

    @Option(names = "--model", paramLabel = "NAME", required = true,
            description = "sasrec, sasrec-content, sft or grpo (read from W/checkpoints/<model>, GRPO's best step "
                    + "when kept).")
    String model;

    @Option(names = "--out", paramLabel = "DIR", description = "The export directory (default W/onnx/<model>).")
    Path out;

    @Option(names = "--verify-samples", paramLabel = "N", defaultValue = "200",
            description = "Test samples (9 negatives) ranked by both engines to check the export; 0 skips. "
                    + "Default: ${DEFAULT-VALUE}.")
    int verifySamples;

    @Option(names = "--verify-negatives", paramLabel = "M", defaultValue = "9",
            description = "Negatives per verification sample (9 or 99). Default: ${DEFAULT-VALUE}.")
    int verifyNegatives;

    @Override
    @SuppressWarnings("try")
    public Integer call() {
        long start = System.nanoTime();
        if (verifySamples < 0) {
            throw new IllegalArgumentException("--verify-samples must be >= 0, got " + verifySamples + ".");
        }
        String key = model.strip().toLowerCase(Locale.ROOT);
        WorkDir w = WorkDir.of(workDir);
        PreparedData data = PreparedData.load(w);
        Path dir = out != null ? out : RecommenderFactory.onnxDir(w, key);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("model", key);
        summary.put("out", dir.toString());
        Recommender djl;
        AutoCloseable owned;
        Path source;
        if (RecommenderFactory.SASRECS.contains(key)) {
            source = RecommenderFactory.sasrecCheckpoint(data, key);
            SasRecModel m = SasRecModel.load(source);
            SasRecOnnxExporter.export(m, key, source, dir);
            summary.put("parameters", m.parameterCount());
            djl = new SasRecRecommender(m);
            owned = m;
        } else if (RecommenderFactory.POLICIES.contains(key)) {
            source = RecommenderFactory.policyCheckpoint(key, data);
            if (dev.mllmrec.core.lm.TrainablePolicies.isAdapterCheckpoint(source)) {
                throw new IllegalArgumentException("export-onnx exports the built-in policy; " + source + " holds "
                        + "LoRA adapters of a pretrained decoder (serve them with evaluate or PolicyRanker).");
            }
            PolicyBundle bundle = PolicyBundle.load(source);
            Path from = bundle.source() != null ? bundle.source() : source;
            PolicyOnnxExporter.export(bundle.model(), from.resolve(SftCheckpoint.TOKENIZER_FILE), bundle.style(),
                    bundle.tokenizer().specialTokens().pad(), key, from, dir);
            summary.put("parameters", bundle.model().parameterCount());
            // The ranking served by default on either engine: the view of the policy's prompt style.
            djl = new LikelihoodRecommender(key, bundle.model(), bundle.tokenizer(), bundle.prompts(data.catalog()),
                    AnswerScope.ITEM_TOKEN, RankingView.defaultFor(bundle.style(), AnswerScope.ITEM_TOKEN));
            owned = bundle;
        } else {
            throw new IllegalArgumentException("export-onnx exports sasrec, sasrec-content, sft or grpo, not '" + model
                    + "'.");
        }
        summary.put("source", source.toString());
        try (AutoCloseable ignored = owned) {
            summary.put("onnx_bytes", Files.size(dir.resolve(OnnxManifest.MODEL_FILE)));
            if (verifySamples > 0) {
                summary.put("verification", verify(djl, dir, data));
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        summary.put("seconds", CommandSupport.since(start));
        Path file = w.commandDir(NAME).resolve(key + ".json");
        Json.writePretty(file, summary);
        System.out.print(Json.pretty(summary));
        return 0;
    }

    /** Ranks test samples with both engines: the largest score difference and how many rankings differ. */
    private Map<String, Object> verify(Recommender djl, Path dir, PreparedData data) {
        List<RecommendationSample> samples = data.samples(Split.TEST, verifyNegatives).samples();
        List<RankingRequest> requests = samples.subList(0, Math.min(verifySamples, samples.size())).stream()
                .map(RecommendationSample::request).toList();
        List<Ranking> expected = djl.rankAll(requests);
        List<Ranking> actual;
        try (OnnxRecommender onnx = OnnxRecommender.load(dir, data.catalog(), OnnxSessionConfig.defaults())) {
            actual = onnx.rankAll(requests);
        }
        double max = 0;
        int differentOrder = 0;
        for (int i = 0; i < expected.size(); i++) {
            Map<Integer, Double> e = new HashMap<>();
            for (ScoredItem s : expected.get(i).items()) {
                e.put(s.itemId(), s.score());
            }
            for (ScoredItem s : actual.get(i).items()) {
                max = Math.max(max, Math.abs(e.get(s.itemId()) - s.score()));
            }
            if (!expected.get(i).ids().equals(actual.get(i).ids())) {
                differentOrder++;
            }
        }
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("samples", requests.size());
        v.put("negatives", verifyNegatives);
        v.put("candidates", requests.stream().mapToInt(r -> r.candidates().size()).sum());
        v.put("max_abs_score_difference", max);
        v.put("rankings_that_differ", differentOrder);
        if (max > 1e-4) {
            throw new IllegalStateException("The ONNX export in " + dir + " scores up to " + max + " away from DJL "
                    + "(more than 1e-4); please report this with the model's config.");
        }
        return v;
    }
}
