package dev.mllmrec.examples.cli;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.CotTrace;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.AtomicFiles;
import dev.mllmrec.core.CheckpointDigest;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.cot.CotPipeline;
import dev.mllmrec.core.cot.ItemAttributes;
import dev.mllmrec.core.cot.assess.CombinedAssessor;
import dev.mllmrec.core.cot.assess.LeakageAssessor;
import dev.mllmrec.core.cot.assess.RetrievalAgreementAssessor;
import dev.mllmrec.core.cot.io.AssessedCot;
import dev.mllmrec.core.cot.io.ReferenceCotFormat;
import dev.mllmrec.core.cot.io.TrainingSamples;
import dev.mllmrec.core.embed.MiniLmEncoder;
import dev.mllmrec.core.embed.TextEncoder;
import dev.mllmrec.core.embed.TfIdfEncoder;
import dev.mllmrec.core.textualize.CaptionStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

    @Option(names = "--force", description = "Assess again even when W/cot_assessed.jsonl is up to date with its "
            + "inputs (the traces, samples, catalog, captions and these options).")
    boolean force;

    @Option(names = "--export-reference", paramLabel = "FILE",
            description = "Also write the kept traces as a reference <name>_deepseek_cot.json.")
    Path exportReference;

    /** The inputs' fingerprint of the last complete assessment, in {@code W/assess/}. */
    static final String INPUTS_FILE = "inputs.sha256";

    @Override
    public Integer call() {
        WorkDir w = WorkDir.of(workDir);
        Path samplesFile = trainSamples != null ? trainSamples : TrainingSamples.locate(w);
        List<String> fingerprints = inputsFingerprints(w, samplesFile);
        String inputs = fingerprints.get(0);
        Path stamp = w.commandDir(CotPipeline.ASSESS).resolve(INPUTS_FILE);
        if (!force && upToDate(w, stamp, fingerprints)) {
            System.err.println("assess: " + CotPipeline.assessedFile(w) + " is up to date with its inputs; skipped "
                    + "(--force assesses again).");
            exportReference(w, CotInputs.trainSamples(w, samplesFile), CotPipeline.catalog(w));
            return 0;
        }
        List<RecommendationSample> samples = CotInputs.trainSamples(w, samplesFile);
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
        // Written after the assessment is complete: a killed run leaves no stamp and is assessed again. The second
        // line is the output's digest, so an edited or truncated cot_assessed.jsonl is assessed again too.
        AtomicFiles.write(stamp, (inputs + "\n" + CheckpointDigest.sha256(CotPipeline.assessedFile(w)) + "\n")
                .getBytes(StandardCharsets.UTF_8));
        exportReference(w, samples, catalog);
        return 0;
    }

    /** Whether {@code stamp} records one of {@code accepted} and the assessed file as it is now. */
    private static boolean upToDate(WorkDir w, Path stamp, List<String> accepted) {
        try {
            if (!Files.isRegularFile(CotPipeline.assessedFile(w)) || !Files.isRegularFile(stamp)) {
                return false;
            }
            List<String> lines = Files.readAllLines(stamp, StandardCharsets.UTF_8);
            return lines.size() == 2 && accepted.contains(lines.get(0))
                    && lines.get(1).equals(CheckpointDigest.sha256(CotPipeline.assessedFile(w)));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * SHA-256 over everything the assessment reads: the traces, the training samples, the catalog, the captions,
     * the options and whether MiniLM is available. The catalog counts without its items' image paths (the
     * assessment reads the captions, not the images), so the same data reached by another path, or a work
     * directory moved to another machine, is not assessed again. Two fingerprints, each file read once: this
     * release's first, then the one of releases before (the catalog file as it is), whose stamps still count.
     */
    private List<String> inputsFingerprints(WorkDir w, Path samplesFile) {
        Path catalogFile = w.root().resolve("catalog.jsonl");
        StringBuilder current = new StringBuilder();
        StringBuilder legacy = new StringBuilder();
        for (Path f : List.of(CotPipeline.cotFile(w), samplesFile, catalogFile, w.root().resolve("captions.jsonl"))) {
            String digest = Files.isRegularFile(f) ? CheckpointDigest.sha256(f) : "absent";
            String name = f.getFileName() + "=";
            legacy.append(name).append(digest).append('\n');
            current.append(name).append(f.equals(catalogFile) && Files.isRegularFile(f)
                    ? withoutImages(CotPipeline.catalog(w)) : digest).append('\n');
        }
        return List.of(fingerprint(current), fingerprint(legacy));
    }

    /** {@code files} (one line per input file) with the options appended, hashed. */
    private String fingerprint(StringBuilder files) {
        StringBuilder sb = new StringBuilder(files);
        sb.append("assessors=").append(assessors).append("\nencoder=").append(encoder)
                .append(encoder.equals("minilm") && !MiniLmEncoder.available() ? " (tfidf fallback)" : "")
                .append("\nquery=").append(query)
                .append("\nthreshold=").append(selection == null ? null : selection.threshold)
                .append("\nkeepFraction=").append(selection == null ? null : selection.keepFraction).append('\n');
        return CaptionStore.sha256(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** SHA-256 over {@code catalog}'s items, each as a JSON line without its image path. */
    static String withoutImages(Catalog catalog) {
        StringBuilder lines = new StringBuilder();
        for (dev.mllmrec.api.Item i : catalog.items()) {
            lines.append(Json.line(new dev.mllmrec.api.Item(i.id(), i.title(), i.genres(), i.attributes(), null)))
                    .append('\n');
        }
        return CaptionStore.sha256(lines.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void exportReference(WorkDir w, List<RecommendationSample> samples, Catalog catalog) {
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
