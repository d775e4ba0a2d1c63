package dev.mllmrec.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OpenAiChatClientTest {

    private static final String KEY = "sk-test-0123456789secret";

    private final FakeChatServer server = new FakeChatServer();
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        server.close();
    }

    private OpenAiChatClient.Builder client() {
        return OpenAiChatClient.builder()
                .setBaseUrl(server.baseUrl())
                .setModel("fake-vl")
                .optApiKeyEnv("MY_VLM_KEY")
                .optEnvironment(Map.of("MY_VLM_KEY", KEY)::get)
                .optRequestTimeout(Duration.ofSeconds(5))
                .optInitialBackoff(Duration.ofMillis(5))
                .optMaxBackoff(Duration.ofMillis(20))
                .optSleeper(sleeps::add);
    }

    @Test
    void sendsTheModelTheMessagePartsAndTheBearerKeyFromTheNamedVariable() throws Exception {
        server.then(FakeChatServer.ok("  A red car.  "));
        OpenAiChatClient c = client().build();
        ChatCompletion answer = c.complete(List.of(ChatMessage.system("Be brief."),
                ChatMessage.user(ContentPart.imageData("image/png", new byte[] {1, 2, 3}),
                        ContentPart.text("Describe it."))), ChatOptions.greedy(64));
        assertThat(answer.content()).isEqualTo("  A red car.  ");
        assertThat(answer.attempts()).isEqualTo(1);
        assertThat(answer.promptTokens()).isEqualTo(12);
        assertThat(server.authorizations()).containsExactly("Bearer " + KEY);
        JsonNode body = server.firstRequest();
        assertThat(body.get("model").asText()).isEqualTo("fake-vl");
        assertThat(body.get("temperature").asDouble()).isZero();
        assertThat(body.get("max_tokens").asInt()).isEqualTo(64);
        assertThat(body.at("/messages/0/content").asText()).isEqualTo("Be brief.");
        assertThat(body.at("/messages/1/content/0/type").asText()).isEqualTo("image_url");
        assertThat(body.at("/messages/1/content/0/image_url/url").asText()).isEqualTo("data:image/png;base64,AQID");
        assertThat(body.at("/messages/1/content/1/text").asText()).isEqualTo("Describe it.");
        assertThat(c.toString()).doesNotContain(KEY);
    }

    @Test
    void withoutTheVariableNoAuthorizationHeaderIsSent() throws Exception {
        OpenAiChatClient c = client().optEnvironment(name -> null).build();
        assertThat(c.hasApiKey()).isFalse();
        c.complete(List.of(ChatMessage.user("hi")));
        assertThat(server.authorizations()).containsExactly("");
    }

    @Test
    void aSlowAnswerTimesOutAndTheRetrySucceeds() throws Exception {
        server.then(FakeChatServer.slow(2_000, FakeChatServer.ok("late")), FakeChatServer.ok("on time"));
        ChatCompletion answer = client().optRequestTimeout(Duration.ofMillis(300)).build()
                .complete(List.of(ChatMessage.user("hi")));
        assertThat(answer.content()).isEqualTo("on time");
        assertThat(answer.attempts()).isEqualTo(2);
    }

    @Test
    void tooManyRequestsIsRetriedAfterTheServersRetryAfter() throws Exception {
        server.then(FakeChatServer.status(429, "{\"error\":\"slow down\"}", "2"), FakeChatServer.ok("fine"));
        ChatCompletion answer = client().build().complete(List.of(ChatMessage.user("hi")));
        assertThat(answer.content()).isEqualTo("fine");
        assertThat(answer.attempts()).isEqualTo(2);
        assertThat(sleeps).hasSize(1);
        assertThat(sleeps.get(0)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void serverErrorsAreRetriedWithBoundedJitteredBackoff() throws Exception {
        server.then(FakeChatServer.status(500, "boom", null), FakeChatServer.status(503, "busy", null),
                FakeChatServer.ok("recovered"));
        ChatCompletion answer = client().build().complete(List.of(ChatMessage.user("hi")));
        assertThat(answer.content()).isEqualTo("recovered");
        assertThat(answer.attempts()).isEqualTo(3);
        assertThat(sleeps).hasSize(2);
        // The backoffs the client asked the injected sleeper for (computed, no clock is read): full jitter below
        // the initial backoff, then below twice that.
        Duration firstCap = Duration.ofMillis(5);
        Duration secondCap = Duration.ofMillis(10);
        assertThat(sleeps.get(0)).isBetween(Duration.ZERO, firstCap);
        assertThat(sleeps.get(1)).isBetween(Duration.ZERO, secondCap);
    }

    @Test
    void aReplyOverTheSizeLimitFailsAtOnceAndIsNotRetried() {
        server.otherwise(FakeChatServer.ok("x".repeat(5_000_000)));
        ChatException e = catchThrowableOfType(ChatException.class,
                () -> client().build().complete(List.of(ChatMessage.user("hi"))));
        assertThat(e).isNotNull();
        assertThat(e.retryable()).isFalse();
        assertThat(e.attempts()).isEqualTo(1);
        assertThat(e.getMessage()).contains("over the limit of 1048576 bytes").contains("nothing was stored")
                .doesNotContain("xxxx").doesNotContain("\n");
        assertThat(server.requests()).isEqualTo(1);

        server.then(FakeChatServer.ok("a short caption"));
        ChatException small = catchThrowableOfType(ChatException.class,
                () -> client().optMaxReplyBytes(20).build().complete(List.of(ChatMessage.user("hi"))));
        assertThat(small.getMessage()).contains("over the limit of 20 bytes");
        assertThatThrownBy(() -> client().optMaxReplyBytes(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reply limit");
    }

    @Test
    void malformedJsonIsRetriedThenReported() throws Exception {
        server.then(FakeChatServer.malformed(), FakeChatServer.ok("ok"));
        assertThat(client().build().complete(List.of(ChatMessage.user("hi"))).attempts()).isEqualTo(2);

        server.otherwise(FakeChatServer.malformed());
        int before = server.requests();
        ChatException e = catchThrowableOfType(ChatException.class,
                () -> client().optMaxAttempts(3).build().complete(List.of(ChatMessage.user("hi"))));
        assertThat(e.retryable()).isTrue();
        assertThat(e.attempts()).isEqualTo(3);
        assertThat(e.status()).isEqualTo(200);
        assertThat(e).hasMessageContaining("failed after 3 attempts").hasMessageContaining("malformed answer");
        assertThat(server.requests() - before).isEqualTo(3);
    }

    @Test
    void aDroppedConnectionIsRetried() throws Exception {
        server.then(FakeChatServer.drop(), FakeChatServer.ok("after drop"));
        ChatCompletion answer = client().build().complete(List.of(ChatMessage.user("hi")));
        assertThat(answer.content()).isEqualTo("after drop");
        assertThat(answer.attempts()).isEqualTo(2);

        server.otherwise(FakeChatServer.drop());
        ChatException e = catchThrowableOfType(ChatException.class,
                () -> client().optMaxAttempts(2).build().complete(List.of(ChatMessage.user("hi"))));
        assertThat(e).hasMessageContaining("connection failed");
        assertThat(e.status()).isEqualTo(-1);
    }

    @Test
    void aBadRequestFailsAtOnceWithTheStatusAndAnExcerpt() {
        server.then(FakeChatServer.status(400, "{\"error\":{\"message\":\"image_url is not a valid image\"}}", null));
        ChatException e = catchThrowableOfType(ChatException.class,
                () -> client().build().complete(List.of(ChatMessage.user("hi"))));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.retryable()).isFalse();
        assertThat(e.attempts()).isEqualTo(1);
        assertThat(e).hasMessageContaining("HTTP 400").hasMessageContaining("not retried")
                .hasMessageContaining("image_url is not a valid image");
        assertThat(server.requests()).isEqualTo(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void theApiKeyNeverAppearsInExceptionMessages() {
        server.then(FakeChatServer.echoKey(401));
        ChatException e = catchThrowableOfType(ChatException.class,
                () -> client().build().complete(List.of(ChatMessage.user("hi"))));
        assertThat(server.authorizations().get(0)).contains(KEY);
        assertThat(e).hasMessageContaining("HTTP 401").hasMessageContaining("[redacted]")
                .hasMessageContaining("MY_VLM_KEY").hasMessageNotContaining(KEY);

        server.otherwise(FakeChatServer.echoKey(500));
        ChatException retried = catchThrowableOfType(ChatException.class,
                () -> client().optMaxAttempts(2).build().complete(List.of(ChatMessage.user("hi"))));
        assertThat(retried).hasMessageContaining("HTTP 500").hasMessageNotContaining(KEY);
    }

    @Test
    void concurrencyIsBoundedBySemaphore() throws Exception {
        server.otherwise(FakeChatServer.slow(150, FakeChatServer.ok("x")));
        OpenAiChatClient c = client().optMaxConcurrency(2).build();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<ChatCompletion>> futures = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                futures.add(pool.submit(() -> c.complete(List.of(ChatMessage.user("hi")))));
            }
            for (Future<ChatCompletion> f : futures) {
                assertThat(f.get().content()).isEqualTo("x");
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(server.requests()).isEqualTo(6);
        assertThat(server.maxInFlight()).isBetween(1, 2);
    }

    @Test
    void theBuilderValidatesWithFullSentences() {
        assertThatThrownBy(() -> OpenAiChatClient.builder().setModel("m").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("setBaseUrl");
        assertThatThrownBy(() -> OpenAiChatClient.builder().setBaseUrl("http://x").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("setModel");
        assertThatThrownBy(() -> client().optApiKeyEnv("not a name").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a name");
        assertThatThrownBy(() -> client().setBaseUrl("ftp://x").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http");
        assertThatThrownBy(() -> client().setBaseUrl("http://user:" + KEY + "@x").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining(KEY);
        assertThatThrownBy(() -> client().optMaxConcurrency(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
        assertThat(client().setBaseUrl("http://h:1/v1/").build().endpoint().toString())
                .isEqualTo("http://h:1/v1/chat/completions");
        assertThat(client().setBaseUrl("http://h:1").build().endpoint().toString())
                .isEqualTo("http://h:1/v1/chat/completions");
    }

    @Test
    void backoffIsFullJitterUnderADoublingCapAndRespectsRetryAfter() {
        OpenAiChatClient c = client().optInitialBackoff(Duration.ofMillis(100)).optMaxBackoff(Duration.ofMillis(700))
                .optMaxRetryAfter(Duration.ofSeconds(5)).build();
        for (int attempt = 1; attempt <= 6; attempt++) {
            long cap = Math.min(700, 100L << (attempt - 1));
            for (int i = 0; i < 50; i++) {
                assertThat(c.backoff(attempt, null).toMillis()).isBetween(0L, cap);
            }
        }
        assertThat(c.backoff(1, Duration.ofSeconds(3))).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        assertThat(c.backoff(1, Duration.ofSeconds(60))).isLessThanOrEqualTo(Duration.ofSeconds(5));
    }
}
