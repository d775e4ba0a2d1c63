package dev.mllmrec.examples.cli;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.CotGenerator;
import dev.mllmrec.api.CotTrace;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.cot.BuiltinCotGenerator;
import dev.mllmrec.core.cot.CotPipeline;
import dev.mllmrec.core.cot.io.ReferenceCotFormat;
import dev.mllmrec.core.cot.llm.ChatBackend;
import dev.mllmrec.core.cot.llm.CotRefiner;
import dev.mllmrec.core.cot.llm.HttpChatBackend;
import dev.mllmrec.core.http.ChatOptions;
import dev.mllmrec.core.http.OpenAiChatClient;
import dev.mllmrec.core.cot.llm.PseudoCotGenerator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code build-cot}: writes a four-step reasoning trace for every training window into {@code W/cot.jsonl}. */
@Command(name = "build-cot", mixinStandardHelpOptions = true,
        description = {"Writes a chain-of-thought trace for every training window into W/cot.jsonl (resumable: only "
                + "windows without a trace are generated) and W/build-cot/summary.json.",
                "Generators: builtin (default, no model), openai-pseudo (vision model over history images), "
                + "openai-refine (reasoning model over captions, optionally over a pseudo-CoT file), or "
                + "--import-reference FILE (a reference <name>_deepseek_cot.json)."})
public final class BuildCotCommand implements Callable<Integer> {

    @Option(names = "--work-dir", paramLabel = "W", required = true, description = "The work directory.")
    Path workDir;

    @Option(names = "--train-samples", paramLabel = "FILE",
            description = "Training windows (RecommendationSample JSON Lines). Default: W/samples/train-*/samples.jsonl.")
    Path trainSamples;

    @Option(names = "--generator", paramLabel = "NAME", defaultValue = "builtin",
            description = "builtin, openai-pseudo or openai-refine. Default: ${DEFAULT-VALUE}.")
    String generator;

    @Option(names = "--threads", paramLabel = "N", description = "Parallel generations. Default: cores (builtin), 8 (openai).")
    Integer threads;

    @Option(names = "--base-url", paramLabel = "URL", defaultValue = "http://localhost:8000/v1",
            description = "OpenAI-compatible endpoint. Default: ${DEFAULT-VALUE}.")
    String baseUrl;

    @Option(names = "--model", paramLabel = "NAME", description = "Model name for the openai generators.")
    String model;

    @Option(names = "--api-key-env", paramLabel = "VAR", defaultValue = "OPENAI_API_KEY",
            description = "Environment variable holding the API key. Default: ${DEFAULT-VALUE}.")
    String apiKeyEnv;

    @Option(names = "--temperature", defaultValue = "0.1", description = "Sampling temperature. Default: ${DEFAULT-VALUE}.")
    double temperature;

    @Option(names = "--max-tokens", defaultValue = "1024", description = "Reply token limit. Default: ${DEFAULT-VALUE}.")
    int maxTokens;

    @Option(names = "--timeout-s", defaultValue = "120", description = "Request timeout in seconds. Default: ${DEFAULT-VALUE}.")
    int timeoutSeconds;

    @Option(names = "--images", paramLabel = "DIR", defaultValue = ".",
            description = "Base folder of relative item image paths (openai-pseudo). Default: current folder.")
    Path images;

    @Option(names = "--pseudo-cot", paramLabel = "FILE",
            description = "CotTrace JSON Lines of pseudo-CoTs to refine (openai-refine), e.g. a cot.jsonl of an "
                    + "openai-pseudo run in another work directory.")
    Path pseudoCot;

    @Option(names = "--show-target",
            description = "Show the target item to the refiner, as the reference does. LEAKAGE RISK: the reasoning "
                    + "may name the answer and inflate training reward; keep 'assess' with the leakage filter on.")
    boolean showTarget;

    @Option(names = "--import-reference", paramLabel = "FILE",
            description = "Import traces from a reference <name>_deepseek_cot.json instead of generating.")
    Path importReference;

    @Override
    public Integer call() {
        WorkDir w = WorkDir.of(workDir);
        List<RecommendationSample> samples = CotInputs.trainSamples(w, trainSamples);
        if (importReference != null) {
            List<CotTrace> traces = ReferenceCotFormat.importTraces(importReference, samples);
            int added = CotPipeline.appendTraces(w, traces);
            System.out.println("imported " + traces.size() + " traces from " + importReference + ", " + added
                    + " new in " + CotPipeline.cotFile(w));
            return 0;
        }
        Catalog catalog = CotPipeline.catalog(w);
        Map<Integer, String> captions = CotPipeline.captions(w);
        CotGenerator g;
        int defaultThreads = Runtime.getRuntime().availableProcessors();
        switch (generator) {
            case "builtin" -> g = new BuiltinCotGenerator(catalog, captions);
            case "openai-pseudo" -> {
                g = new PseudoCotGenerator(catalog, backend(), PseudoCotGenerator.imagesFrom(images), "movie",
                        requireModel());
                defaultThreads = 8;
            }
            case "openai-refine" -> {
                Map<String, String> pseudo = new HashMap<>();
                if (pseudoCot != null) {
                    CotPipeline.readTraces(pseudoCot).forEach((id, t) -> pseudo.put(id, t.text()));
                }
                CotRefiner.Builder b = CotRefiner.builder().setCatalog(catalog).setBackend(backend())
                        .setModelId(requireModel()).optCaptions(captions).optPseudoCots(pseudo);
                if (showTarget) {
                    Map<String, Integer> targets = new HashMap<>();
                    samples.forEach(s -> targets.put(s.sampleId(), s.target()));
                    b.optShowTarget(targets);
                    System.err.println("warning: --show-target shows the answer to the refiner (leakage risk).");
                }
                g = b.build();
                defaultThreads = 8;
            }
            default -> throw new IllegalArgumentException("Unknown generator '" + generator
                    + "'; expected builtin, openai-pseudo or openai-refine.");
        }
        CotPipeline.BuildCotSummary s = CotPipeline.buildCot(w, samples, g, threads == null ? defaultThreads : threads);
        System.out.print(Json.pretty(s));
        return s.failed() > 0 ? 1 : 0;
    }

    private String requireModel() {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("--model is required for --generator " + generator + ".");
        }
        return model;
    }

    private ChatBackend backend() {
        return new HttpChatBackend(OpenAiChatClient.builder()
                .setBaseUrl(baseUrl)
                .setModel(requireModel())
                .optApiKeyEnv(apiKeyEnv)
                .optRequestTimeout(Duration.ofSeconds(timeoutSeconds))
                .optMaxConcurrency(threads == null ? 8 : Math.max(1, threads))
                .optDefaultOptions(new ChatOptions(temperature, null, maxTokens, null))
                .build());
    }
}
