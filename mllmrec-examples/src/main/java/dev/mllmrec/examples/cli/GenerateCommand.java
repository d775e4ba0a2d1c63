package dev.mllmrec.examples.cli;

import dev.mllmrec.core.Json;
import dev.mllmrec.core.lm.Generation;
import dev.mllmrec.core.lm.GenerationConfig;
import dev.mllmrec.core.lm.Generator;
import dev.mllmrec.core.lm.Sampling;
import dev.mllmrec.core.lm.hf.HfDecoder;
import dev.mllmrec.core.lm.hf.IdTokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code generate}: continues token ids with a Hugging Face model folder and prints one JSON line
 * {@code {"ids": [...]}}, so a checkpoint loaded here can be checked against any other implementation.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Continues a prompt given as token ids with a Hugging Face decoder folder (Llama, Qwen2, "
                + "Qwen3: config.json + model.safetensors or sharded safetensors) and prints one JSON line "
                + "{\"ids\": [...]} with the generated ids (the stop token included when one is generated). Greedy "
                + "unless --temperature is above 0. Timing goes to standard error."})
public final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--base-model", paramLabel = "DIR", required = true,
            description = "The Hugging Face model folder.")
    Path baseModel;

    @Option(names = "--adapters", paramLabel = "DIR",
            description = "LoRA adapters saved for this base (adapter_config.json + adapter_model.safetensors).")
    Path adapters;

    @Option(names = "--prompt-ids", paramLabel = "IDS", required = true, split = ",",
            description = "The prompt's token ids, comma-separated (e.g. 1,403,407).")
    int[] promptIds;

    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "32",
            description = "The most tokens generated. Default: ${DEFAULT-VALUE}.")
    int maxNewTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0",
            description = "Sampling temperature; 0 is greedy. Default: ${DEFAULT-VALUE}.")
    double temperature;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1",
            description = "Nucleus sampling cut (with --temperature > 0). Default: ${DEFAULT-VALUE}.")
    double topP;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Sampling seed. Default: "
            + "${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--stop-ids", paramLabel = "IDS", split = ",",
            description = "Ids that end generation. Default: the config's eos_token_id. Give -1 for none.")
    int[] stopIds;

    @Option(names = "--no-cache", description = "Recompute the whole sequence at every step instead of using the "
            + "KV cache (slow; for checking the cache).")
    boolean noCache;

    @Override
    public Integer call() {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("--max-new-tokens must be at least 1, got " + maxNewTokens + ".");
        }
        long start = System.nanoTime();
        try (HfDecoder model = HfDecoder.load(baseModel)) {
            if (adapters != null) {
                model.loadAdapters(adapters);
                model.mergeAdapters();
            }
            for (int id : promptIds) {
                if (id < 0 || id >= model.vocabSize()) {
                    throw new IllegalArgumentException("--prompt-ids: id " + id + " is outside the vocabulary of "
                            + "size " + model.vocabSize() + " of " + baseModel + ".");
                }
            }
            int[] stops = stopIds != null ? Arrays.stream(stopIds).filter(i -> i >= 0).toArray()
                    : model.config().eosIds();
            IdTokenizer tokenizer = new IdTokenizer(model.vocabSize(), stops.length > 0 ? stops[0] : -1);
            Sampling sampling = temperature <= 0 ? Sampling.greedy() : Sampling.topP(temperature, topP);
            GenerationConfig config = GenerationConfig.builder().optSampling(sampling).optMaxNewTokens(maxNewTokens)
                    .optStopOnEos(stops.length > 0).optStopOnNewline(false)
                    .optExtraStopIds(stops.length > 1 ? Arrays.copyOfRange(stops, 1, stops.length) : new int[0])
                    .optUseCache(!noCache).optSeed(seed).build();
            double loaded = CommandSupport.since(start);
            long genStart = System.nanoTime();
            Generation g = new Generator(model, tokenizer).generate(List.of(promptIds), config).get(0);
            double secs = CommandSupport.since(genStart);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("ids", g.tokens());
            System.out.println(Json.line(out));
            System.out.flush();
            System.err.printf("%s: %d tokens in %.2f s (%.1f tokens/s), loaded in %.2f s, stop: %s%n", model,
                    g.tokens().length, secs, g.tokens().length / Math.max(secs, 1e-9), loaded, g.stopReason());
        }
        return 0;
    }
}
