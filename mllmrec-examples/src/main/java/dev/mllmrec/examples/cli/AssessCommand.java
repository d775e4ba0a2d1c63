package dev.mllmrec.examples.cli;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.CotTrace;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.cot.CotPipeline;
import dev.mllmrec.core.cot.ItemAttributes;
import dev.mllmrec.core.cot.assess.CombinedAssessor;
import dev.mllmrec.core.cot.assess.LeakageAssessor;
import dev.mllmrec.core.cot.assess.RetrievalAgreementAssessor;
import dev.mllmrec.core.cot.io.AssessedCot;
import dev.mllmrec.core.cot.io.ReferenceCotFormat;
import dev.mllmrec.core.embed.MiniLmEncoder;
import dev.mllmrec.core.embed.TextEncoder;
import dev.mllmrec.core.embed.TfIdfEncoder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code assess}: the confidence-aware assessment of {@code W/cot.jsonl} into {@code W/cot_assessed.jsonl}. */
@Command(name = "assess", mixinStandardHelpOptions = true,
        description = {"Assesses every trace of W/cot.jsonl: the leakage veto (the trace names the target's id or "
                + "title), the format check, and the retrieval-agreement score (how high the target ranks among the "
                + "candidates by similarity to the Step-3 criteria), kept by threshold or top fraction. Writes "
                + "W/cot_assessed.jsonl and W/assess/summary.json (counts by reason, mean score and mean target "
                + "rank of kept vs rejected traces)."})
public final class AssessCommand implements Callable<Integer> {

    @Option(names = "--work-dir", paramLabel = "W", required = true, description = "The work directory.")
    Path workDir;

    @Option(names = "--train-samples", paramLabel = "FILE",
            description = "Training windows. Default: W/samples/train-*/samples.jsonl.")
    Path trainSamples;

    @Option(names = "--assessors", paramLabel = "LIST", split = ",", defaultValue = "leakage,retrieval",
            description = "Any of leakage, retrieval. Default: ${DEFAULT-VALUE}.")
    List<String> assessors;

    @Option(names = "--encoder", paramLabel = "NAME", defaultValue = "minilm",
            description = "minilm (all-MiniLM-L6-v2, falls back to tfidf when absent) or tfidf. Default: ${DEFAULT-VALUE}.")
    String encoder;

    @Option(names = "--query", paramLabel = "PART", defaultValue = "criteria",
            description = "criteria (Step 3) or full (the whole trace). Default: ${DEFAULT-VALUE}.")
    String query;

    static final class Selection {
        @Option(names = "--threshold", paramLabel = "T", description = "Keep traces scoring at least T.")
        Double threshold;

        @Option(names = "--keep-fraction", paramLabel = "F", description = "Keep the best F of the eligible traces.")
        Double keepFraction;
    }

    @ArgGroup(exclusive = true)
    Selection selection;

    @Option(names = "--threads", paramLabel = "N", description = "ONNX Runtime threads. Default: cores.")
    Integer threads;

    @Option(names = "--export-reference", paramLabel = "FILE",
            description = "Also write the kept traces as a reference <name>_deepseek_cot.json.")
    Path exportReference;

    @Override
    public Integer call() {
        WorkDir w = WorkDir.of(workDir);
        List<RecommendationSample> samples = CotInputs.trainSamples(w, trainSamples);
        Catalog catalog = CotPipeline.catalog(w);
        Map<Integer, String> captions = CotPipeline.captions(w);
        for (String a : assessors) {
            if (!Set.of("leakage", "retrieval").contains(a)) {
                throw new IllegalArgumentException("Unknown assessor '" + a + "'; expected leakage or retrieval "
                        + "(the policy-likelihood assessor plugs in with CombinedAssessor.Builder.addScorer).");
            }
        }
        CombinedAssessor.Builder b = CombinedAssessor.builder();
        Map<String, Object> provenance = new LinkedHashMap<>();
        if (assessors.contains("leakage")) {
            b.addVeto(new LeakageAssessor(catalog));
        }
        if (selection != null && selection.threshold != null) {
            b.optThreshold(selection.threshold);
        } else if (selection != null && selection.keepFraction != null) {
            b.optKeepFraction(selection.keepFraction);
        }
        try (TextEncoder enc = assessors.contains("retrieval") ? encoder(catalog, captions) : null) {
            if (enc != null) {
                RetrievalAgreementAssessor.Query q = switch (query) {
                    case "criteria" -> RetrievalAgreementAssessor.Query.CRITERIA;
                    case "full" -> RetrievalAgreementAssessor.Query.FULL;
                    default -> throw new IllegalArgumentException("Unknown --query '" + query
                            + "'; expected criteria or full.");
                };
                b.addScorer(new RetrievalAgreementAssessor(catalog, captions, enc, q), 1.0);
                provenance.put("encoder", enc.id());
                provenance.put("query", query);
            }
            CotPipeline.AssessSummary s = CotPipeline.assess(w, samples, b.build(), provenance);
            System.out.print(Json.pretty(s));
        }
        if (exportReference != null) {
            Map<String, CotTrace> kept = new LinkedHashMap<>();
            for (AssessedCot a : CotPipeline.readAssessed(w).values()) {
                if (a.assessment().kept()) {
                    kept.put(a.trace().sampleId(), a.trace());
                }
            }
            ReferenceCotFormat.export(exportReference, samples, kept, catalog);
            System.out.println("exported " + kept.size() + " kept traces to " + exportReference);
        }
        return 0;
    }

    private TextEncoder encoder(Catalog catalog, Map<Integer, String> captions) {
        if (encoder.equals("minilm") && MiniLmEncoder.available()) {
            int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
            return MiniLmEncoder.load(t, 32);
        }
        if (!encoder.equals("minilm") && !encoder.equals("tfidf")) {
            throw new IllegalArgumentException("Unknown --encoder '" + encoder + "'; expected minilm or tfidf.");
        }
        if (encoder.equals("minilm")) {
            System.err.println("warning: all-MiniLM-L6-v2 is not on the classpath; using the TF-IDF encoder.");
        }
        return TfIdfEncoder.fit(catalog.items().stream()
                .map(i -> ItemAttributes.candidateText(i, captions.get(i.id()))).toList());
    }
}
