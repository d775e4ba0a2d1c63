package dev.mllmrec.core.textualize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.TextualizationException;
import dev.mllmrec.core.http.ChatOptions;
import dev.mllmrec.core.http.FakeChatServer;
import dev.mllmrec.core.http.OpenAiChatClient;
import java.awt.Color;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OpenAiVisionTextualizerTest {

    private static final String KEY = "sk-vision-secret-42";

    private final FakeChatServer server = new FakeChatServer();
    private final byte[] png = TestImages.png(TestImages.poster(185, 278, Color.BLACK, Color.RED, true));
    private final Item toyStory = new Item(1, "Toy Story (1995)", null, null, "/posters/1.jpg");

    @AfterEach
    void stop() {
        server.close();
    }

    private OpenAiVisionTextualizer textualizer(OpenAiVisionTextualizer.TitlePolicy policy, int attempts) {
        OpenAiChatClient client = OpenAiChatClient.builder()
                .setBaseUrl(server.baseUrl())
                .setModel("qwen3-vl-8b")
                .optApiKeyEnv("VLM_KEY")
                .optEnvironment(Map.of("VLM_KEY", KEY)::get)
                .optRequestTimeout(Duration.ofMillis(400))
                .optInitialBackoff(Duration.ofMillis(2))
                .optMaxBackoff(Duration.ofMillis(10))
                .optMaxRetryAfter(Duration.ofMillis(10))
                .optMaxAttempts(attempts)
                .build();
        return new OpenAiVisionTextualizer(client, new SafeImageDecoder(), policy, ChatOptions.greedy(128));
    }

    @Test
    void sendsTheReferencePromptWithTheTitleAndTheImageAsADataUrl() throws Exception {
        server.then(FakeChatServer.ok("\"Caption: Two toys, a cowboy and a spaceman, leap across a blue sky.\"\n"));
        OpenAiVisionTextualizer t = textualizer(OpenAiVisionTextualizer.TitlePolicy.REDACT, 3);
        assertThat(t.id()).isEqualTo("openai");
        assertThat(t.version()).isEqualTo("qwen3-vl-8b/p1");
        String caption = t.describe(toyStory, png);
        assertThat(caption).isEqualTo("Two toys, a cowboy and a spaceman, leap across a blue sky.");

        JsonNode body = server.firstRequest();
        assertThat(body.get("model").asText()).isEqualTo("qwen3-vl-8b");
        assertThat(body.get("temperature").asDouble()).isZero();
        assertThat(body.get("max_tokens").asInt()).isEqualTo(128);
        String url = body.at("/messages/0/content/0/image_url/url").asText();
        assertThat(url).startsWith("data:image/png;base64,");
        assertThat(Base64.getDecoder().decode(url.substring(url.indexOf(',') + 1))).isEqualTo(png);
        assertThat(body.at("/messages/0/content/1/text").asText()).isEqualTo(
                "You are generating a caption for a movie/show dataset.\n"
                        + "Title: 'Toy Story (1995)'\n"
                        + "Task: Write one caption (no more than 50 words) describing the image content.\n"
                        + "The caption should be visually grounded while loosely consistent with the theme.\n"
                        + "Do NOT rewrite the title. Do NOT mention the title explicitly.\n"
                        + "Output only the caption sentence.");
        assertThat(server.authorizations()).containsExactly("Bearer " + KEY);
    }

    @Test
    void longAnswersAreCutToFiftyWords() throws Exception {
        server.then(FakeChatServer.ok("word ".repeat(80).strip() + "."));
        String caption = textualizer(OpenAiVisionTextualizer.TitlePolicy.REDACT, 1).describe(toyStory, png);
        assertThat(CaptionWriter.words(caption)).isEqualTo(50);
        assertThat(caption).endsWith(".");
    }

    @Test
    void aTitleInTheAnswerIsRedactedOrFailsByPolicy() throws Exception {
        server.then(FakeChatServer.ok("The Toy Story poster shows toys on a bed."),
                FakeChatServer.ok("Toy Story: toys on a bed."));
        String redacted = textualizer(OpenAiVisionTextualizer.TitlePolicy.REDACT, 1).describe(toyStory, png);
        assertThat(redacted).isEqualTo("The film poster shows toys on a bed.");
        assertThat(TitleGuard.of(toyStory.title()).appearsIn(redacted)).isFalse();
        TextualizationException e = catchThrowableOfType(TextualizationException.class,
                () -> textualizer(OpenAiVisionTextualizer.TitlePolicy.FAIL, 1).describe(toyStory, png));
        assertThat(e).hasMessageContaining("mentioned the title").hasMessageContaining("/posters/1.jpg");
    }

    @Test
    void faultsAreRetriedAndFinalFailuresNameTheImageButNeverTheKey() throws Exception {
        server.then(FakeChatServer.status(429, "wait", "1"), FakeChatServer.status(502, "bad gateway", null),
                FakeChatServer.drop(), FakeChatServer.malformed(),
                FakeChatServer.slow(1_500, FakeChatServer.ok("too late")), FakeChatServer.ok("A red disc on black."));
        assertThat(textualizer(OpenAiVisionTextualizer.TitlePolicy.REDACT, 6).describe(toyStory, png))
                .isEqualTo("A red disc on black.");

        server.then(FakeChatServer.echoKey(403));
        TextualizationException e = catchThrowableOfType(TextualizationException.class,
                () -> textualizer(OpenAiVisionTextualizer.TitlePolicy.REDACT, 3).describe(toyStory, png));
        assertThat(e).hasMessageContaining("/posters/1.jpg").hasMessageContaining("HTTP 403")
                .hasMessageNotContaining(KEY);
    }

    @Test
    void badImagesFailBeforeAnyRequest() {
        TextualizationException e = catchThrowableOfType(TextualizationException.class,
                () -> textualizer(OpenAiVisionTextualizer.TitlePolicy.REDACT, 1)
                        .describe(toyStory, TestImages.jpegClaiming(60_000, 60_000)));
        assertThat(e).hasMessageContaining("60000x60000");
        assertThat(server.requests()).isZero();
    }

    @Test
    void cleaningAndTruncationHelpers() {
        assertThat(OpenAiVisionTextualizer.clean("  “A  quiet\n street.”  ")).isEqualTo("A quiet street.");
        assertThat(OpenAiVisionTextualizer.truncate("one two three, four", 3)).isEqualTo("one two three.");
        assertThat(OpenAiVisionTextualizer.truncate("short one.", 3)).isEqualTo("short one.");
    }
}
