package dev.mllmrec.core.cot.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mllmrec.api.CotGenerationException;
import dev.mllmrec.api.CotRequest;
import dev.mllmrec.api.CotTrace;
import dev.mllmrec.api.Item;
import dev.mllmrec.core.cot.CotFixtures;
import dev.mllmrec.core.http.ChatException;
import dev.mllmrec.core.http.ChatMessage;
import dev.mllmrec.core.http.ContentPart;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LlmGeneratorsTest {

    private static final String REPLY = "<think>hmm</think>\nStep 1: horror.\nStep 2: more horror.\n"
            + "Step 3: dark; eerie; 1970s.\nStep 4: A 1970s horror film.";

    /** Records the messages it receives and answers with a fixed reply. */
    private static final class FakeBackend implements ChatBackend {
        final List<List<ChatMessage>> calls = new ArrayList<>();

        @Override
        public synchronized String complete(List<ChatMessage> messages) {
            calls.add(messages);
            return REPLY;
        }
    }

    @Test
    void refinerSendsCaptionsAndPseudoCotButNotTheTargetByDefault() throws Exception {
        FakeBackend fake = new FakeBackend();
        CotRefiner refiner = CotRefiner.builder().setCatalog(CotFixtures.catalog()).setBackend(fake)
                .setModelId("deepseek-r1").optCaptions(CotFixtures.captions())
                .optPseudoCots(Map.of("s1", "Step 1: draft")).build();
        CotTrace t = refiner.generate(new CotRequest("s1", "u1", List.of(4, 6)));
        assertThat(t.valid()).isTrue();
        assertThat(t.generatorId()).isEqualTo("refine:deepseek-r1");
        assertThat(t.step(3)).isEqualTo("dark; eerie; 1970s.");
        String prompt = fake.calls.get(0).get(0).text();
        assertThat(prompt).contains("History Item 1:\nTitle: Shining, The (1980) (id=4)",
                "Caption: A dark, eerie poster", "Step 3: Provide 3-5 retrieval criteria", "Step 1: draft")
                .doesNotContain("Final Target Item");
        assertThat(refiner.showsTarget()).isFalse();
    }

    @Test
    void refinerShowsTheTargetOnlyWhenAskedAndSaysSoInItsId() throws Exception {
        FakeBackend fake = new FakeBackend();
        CotRefiner refiner = CotRefiner.builder().setCatalog(CotFixtures.catalog()).setBackend(fake)
                .setModelId("m").optShowTarget(Map.of("s1", 5)).build();
        refiner.generate(new CotRequest("s1", "u1", List.of(4, 6)));
        assertThat(fake.calls.get(0).get(0).text()).contains("Final Target Item:\nTitle: Halloween (1978) (id=5)");
        assertThat(refiner.id()).isEqualTo("refine:m+target");
        assertThat(refiner.showsTarget()).isTrue();
    }

    @Test
    void pseudoCotSendsImagesAndTitles() throws Exception {
        FakeBackend fake = new FakeBackend();
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10};
        PseudoCotGenerator g = new PseudoCotGenerator(CotFixtures.catalog(), fake,
                (Item item) -> item.id() == 4 ? png : null, "movie", "qwen3-vl");
        CotTrace t = g.generate(new CotRequest("s1", "u1", List.of(4, 6)));
        assertThat(t.generatorId()).isEqualTo("pseudo:qwen3-vl");
        List<ContentPart> parts = fake.calls.get(0).get(0).content();
        assertThat(parts.stream().filter(p -> p instanceof ContentPart.ImageUrl).count()).isEqualTo(1);
        assertThat(((ContentPart.ImageUrl) parts.get(1)).url()).startsWith("data:image/png;base64,");
        assertThat(fake.calls.get(0).get(0).text()).contains("History item 2: Exorcist, The (1973) (id=6).",
                "Do not assume the ground-truth next item is known");
    }

    @Test
    void backendFailureBecomesAGenerationException() {
        ChatBackend failing = messages -> {
            throw new ChatException("HTTP 503 after 3 retries", null);
        };
        CotRefiner refiner = CotRefiner.builder().setCatalog(CotFixtures.catalog()).setBackend(failing)
                .setModelId("m").build();
        assertThatThrownBy(() -> refiner.generate(new CotRequest("s9", "u", List.of(4))))
                .isInstanceOf(CotGenerationException.class).hasMessageContaining("s9").hasMessageContaining("503");
    }
}
