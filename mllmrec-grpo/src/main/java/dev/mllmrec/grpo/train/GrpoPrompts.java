package dev.mllmrec.grpo.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mllmrec.api.InvalidDataException;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.prompt.PromptBuilder;
import dev.mllmrec.grpo.rollout.GrpoPrompt;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds GRPO prompts: plain prompts over samples, or the augmented prompts of {@code W/train_grpo.jsonl}.
 *
 * <p>Thread-safe: stateless.
 */
public final class GrpoPrompts {

    private GrpoPrompts() {
    }

    /** One plain prompt per sample. */
    public static List<GrpoPrompt> fromSamples(List<RecommendationSample> samples, PromptBuilder prompts) {
        List<GrpoPrompt> out = new ArrayList<>(samples.size());
        for (RecommendationSample s : samples) {
            out.add(new GrpoPrompt(s, prompts.prompt(s)));
        }
        return out;
    }

    /**
     * Reads the augment step's JSON Lines: each line holds the sample ({@code sampleId}, {@code userId},
     * {@code history}, {@code target}, {@code candidates}) and either the rendered {@code prompt} or the
     * {@code reasoning} to inject, which {@code prompts} renders (an empty reasoning gives the plain prompt).
     *
     * @throws InvalidDataException naming the file and line when a line is malformed
     */
    public static List<GrpoPrompt> fromAugmentedFile(Path file, PromptBuilder prompts) {
        List<GrpoPrompt> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    JsonNode n = Json.mapper().readTree(line);
                    if (!n.hasNonNull("sampleId") || !n.has("target") || !n.has("candidates")) {
                        throw new InvalidDataException(file.toString(), lineNo, line,
                                "a GRPO prompt line needs sampleId, target and candidates");
                    }
                    RecommendationSample s = new RecommendationSample(n.path("sampleId").asText(),
                            n.path("userId").asText(""), ints(n.path("history")), n.path("target").asInt(),
                            ints(n.path("candidates")));
                    String prompt = n.hasNonNull("prompt") ? n.get("prompt").asText()
                            : prompts.prompt(s, n.path("reasoning").asText(""));
                    out.add(new GrpoPrompt(s, prompt));
                } catch (IOException | IllegalArgumentException e) {
                    throw new InvalidDataException(file.toString(), lineNo, line, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
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
