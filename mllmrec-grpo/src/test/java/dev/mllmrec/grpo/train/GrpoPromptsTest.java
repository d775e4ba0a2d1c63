package dev.mllmrec.grpo.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mllmrec.api.InvalidDataException;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.prompt.PromptBuilder;
import dev.mllmrec.grpo.rollout.GrpoFixtures;
import dev.mllmrec.grpo.rollout.GrpoPrompt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the augment step's train_grpo.jsonl: rendered prompts, reasoning to inject, malformed lines. */
class GrpoPromptsTest {

    @Test
    void readsRenderedPromptsAndRendersReasoning(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("train_grpo.jsonl");
        Files.writeString(file, String.join("\n",
                "{\"sampleId\":\"a\",\"userId\":\"u1\",\"history\":[1,2],\"target\":3,\"candidates\":[4,3],"
                        + "\"granularity\":\"plain\",\"reasoning\":\"\",\"prompt\":\"PROMPT A\"}",
                "{\"sampleId\":\"b\",\"userId\":\"u2\",\"history\":[1],\"target\":5,\"candidates\":[5,6],"
                        + "\"granularity\":\"full\",\"reasoning\":\"likes comedies\"}",
                ""));
        PromptBuilder pb = GrpoFixtures.prompts();
        List<GrpoPrompt> prompts = GrpoPrompts.fromAugmentedFile(file, pb);
        assertThat(prompts).hasSize(2);
        assertThat(prompts.get(0).promptText()).isEqualTo("PROMPT A");
        assertThat(prompts.get(0).sample().candidates()).containsExactly(4, 3);
        RecommendationSample b = prompts.get(1).sample();
        assertThat(prompts.get(1).promptText()).isEqualTo(pb.prompt(b, "likes comedies")).contains("likes comedies");
    }

    @Test
    void aMalformedLineNamesTheFileAndLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("train_grpo.jsonl");
        Files.writeString(file, "{\"sampleId\":\"a\",\"target\":3,\"candidates\":[4,3]}\n{\"prompt\":\"x\"}\n");
        assertThatThrownBy(() -> GrpoPrompts.fromAugmentedFile(file, GrpoFixtures.prompts()))
                .isInstanceOf(InvalidDataException.class).hasMessageContaining("2");
    }
}
