package dev.mllmrec.core.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mllmrec.api.InvalidDataException;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.data.PreparedData;
import dev.mllmrec.core.data.Split;
import dev.mllmrec.core.prompt.PromptBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The training prompts of a stage: the augmented file written by {@code augment} ({@code W/train_sft.jsonl} or
 * {@code W/train_grpo.jsonl}, whose lines carry the sample and the reasoning to inject) when it exists, otherwise
 * plain prompts over the prepared training windows.
 */
public final class TrainingPrompts {

    /**
     * One training prompt.
     *
     * @param sample    the training window
     * @param reasoning the injected reasoning, or the empty string
     * @param prompt    the rendered prompt text
     * @param answer    the reference answer {@code [ITEM_<target>] <title>}
     */
    public record Entry(RecommendationSample sample, String reasoning, String prompt, String answer) {
    }

    private TrainingPrompts() {
    }

    /**
     * Loads the training prompts.
     *
     * @param augmented the augmented file (may be absent)
     * @param negatives the number of negatives of the plain training windows
     */
    public static List<Entry> load(PreparedData data, PromptBuilder prompts, Path augmented, int negatives) {
        List<Entry> out = new ArrayList<>();
        if (augmented != null && Files.isRegularFile(augmented)) {
            try (BufferedReader r = Files.newBufferedReader(augmented, StandardCharsets.UTF_8)) {
                String line;
                long lineNo = 0;
                while ((line = r.readLine()) != null) {
                    lineNo++;
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode n;
                    try {
                        n = Json.mapper().readTree(line);
                    } catch (IOException e) {
                        throw new InvalidDataException(augmented.toString(), lineNo, line, "not a JSON line");
                    }
                    RecommendationSample s = new RecommendationSample(n.path("sampleId").asText(),
                            n.path("userId").asText(), ints(n.path("history")), n.path("target").asInt(),
                            ints(n.path("candidates")));
                    String reasoning = n.path("reasoning").asText("");
                    out.add(new Entry(s, reasoning, prompts.prompt(s, reasoning), prompts.answer(s)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + augmented + ": " + e.getMessage(), e);
            }
            return out;
        }
        for (RecommendationSample s : data.samples(Split.TRAIN, negatives).samples()) {
            out.add(new Entry(s, "", prompts.prompt(s), prompts.answer(s)));
        }
        return out;
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>(array.size());
        for (JsonNode v : array) {
            out.add(v.asInt());
        }
        return out;
    }
}
