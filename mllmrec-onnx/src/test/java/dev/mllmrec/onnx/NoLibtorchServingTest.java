package dev.mllmrec.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.onnx.OnnxRecommender;
import dev.mllmrec.core.onnx.OnnxSessionConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Ranks the golden exports (written into mllmrec-core/target by its {@code OnnxGoldenFilesTest}) with ONNX Runtime
 * on a class path without DJL's PyTorch engine, and compares with DJL's rankings recorded beside them.
 */
class NoLibtorchServingTest {

    /** Written by mllmrec-core's tests, which the reactor runs first (tests run in the module directory). */
    static final Path GOLDEN = Path.of("..", "mllmrec-core", "target", "onnx-golden");

    private static Path golden(String name) {
        Path dir = GOLDEN.resolve(name);
        assertThat(dir.resolve("model.onnx"))
                .as("%s is written by mllmrec-core's OnnxGoldenFilesTest: run mvn -pl mllmrec-onnx -am test", dir)
                .exists();
        return dir;
    }

    @Test
    void thePyTorchEngineAndLibtorchAreNotOnTheClassPath() {
        assertThat(OnnxServingExample.onClassPath("ai.djl.pytorch.engine.PtEngine")).isFalse();
        assertThat(OnnxServingExample.onClassPath("ai.djl.pytorch.jni.JniUtils")).isFalse();
        assertThat(getClass().getResource("/native/lib/pytorch.properties")).isNull();
        assertThat(OnnxServingExample.onClassPath("ai.onnxruntime.OrtSession")).isTrue();
    }

    @Test
    void sasrecRanksLikeDjl() throws Exception {
        check("sasrec");
    }

    @Test
    void policyRanksLikeDjl() throws Exception {
        check("policy");
    }

    private static void check(String name) throws IOException {
        Path dir = golden(name);
        JsonNode expected = Json.mapper().readTree(dir.resolve("expected.json").toFile());
        List<Item> items = new ArrayList<>();
        expected.get("catalog").forEach(i -> items.add(Item.of(i.get("id").asInt(), i.get("title").asText())));
        List<RankingRequest> requests = new ArrayList<>();
        for (JsonNode c : expected.get("cases")) {
            requests.add(new RankingRequest(c.get("user").asText(), ints(c.get("history")),
                    ints(c.get("candidates"))));
        }
        try (OnnxRecommender rec = OnnxRecommender.load(dir, items.isEmpty() ? null : Catalog.of("golden", items),
                OnnxSessionConfig.builder().optBatchSize(8).build())) {
            List<Ranking> rankings = rec.rankAll(requests);
            for (int i = 0; i < requests.size(); i++) {
                JsonNode c = expected.get("cases").get(i);
                assertThat(rankings.get(i).ids()).as("case %d", i).isEqualTo(ints(c.get("ranked")));
                for (int j = 0; j < c.get("scores").size(); j++) {
                    assertThat(rankings.get(i).items().get(j).score()).as("case %d, rank %d", i, j)
                            .isCloseTo(c.get("scores").get(j).asDouble(), within(1e-4));
                }
            }
        }
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }
}
