package dev.mllmrec.core.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mllmrec.api.Item;
import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.api.ScoredItem;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.lm.CausalLm;
import dev.mllmrec.core.lm.TestModels;
import dev.mllmrec.core.lm.tokenizer.WordTokenizer;
import dev.mllmrec.core.prompt.PromptBuilder;
import dev.mllmrec.core.rec.AnswerScope;
import dev.mllmrec.core.rec.LikelihoodRecommender;
import dev.mllmrec.core.sasrec.SasRecConfig;
import dev.mllmrec.core.sasrec.SasRecModel;
import dev.mllmrec.core.sasrec.SasRecRecommender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The golden exports that {@code mllmrec-onnx}'s test ranks without libtorch: a SASRec and a policy export with
 * DJL's rankings of fixed requests. This test fails when the committed files differ from what the exporters write
 * now; run it with {@code -Dmllmrec.onnx.regenerate=true} to rewrite them.
 */
class OnnxGoldenFilesTest {

    /** Where the serving module's test reads the golden files (tests run in the module directory). */
    static final Path GOLDEN = Path.of("..", "mllmrec-onnx", "src", "test", "resources", "golden");

    @Test
    void goldenExportsAreCurrent(@TempDir Path tmp) throws IOException {
        Path fresh = tmp.resolve("golden");
        List<RankingRequest> sasrecRequests = SasRecOnnxTest.requests(40, 21);
        try (SasRecModel sasrec = SasRecModel.create(SasRecConfig.builder().optMaxLength(6).optHiddenSize(16)
                .optBlocks(2).optHeads(2).optSeed(5).build(), IntStream.rangeClosed(1, 30).boxed().toList())) {
            SasRecOnnxExporter.export(sasrec, "sasrec", null, fresh.resolve("sasrec"));
            writeExpected(fresh.resolve("sasrec"), List.of(),
                    sasrecRequests, new SasRecRecommender(sasrec).rankAll(sasrecRequests));
        }
        List<RankingRequest> policyRequests = PolicyOnnxTest.requests(30, 8);
        try (CausalLm lm = PolicyOnnxTest.model(true, true)) {
            WordTokenizer tokenizer = TestModels.tokenizer();
            tokenizer.save(tmp.resolve("tokenizer.json"));
            PolicyOnnxExporter.export(lm, tmp.resolve("tokenizer.json"), PromptBuilder.Style.COMPACT,
                    tokenizer.specialTokens().pad(), "sft", null, fresh.resolve("policy"));
            PromptBuilder prompts = PromptBuilder.builder().setCatalog(PolicyOnnxTest.CATALOG)
                    .optStyle(PromptBuilder.Style.COMPACT).build();
            writeExpected(fresh.resolve("policy"), PolicyOnnxTest.CATALOG.items(), policyRequests,
                    new LikelihoodRecommender("sft", lm, tokenizer, prompts, AnswerScope.ITEM_TOKEN)
                            .rankAll(policyRequests));
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(fresh)) {
            files = s.filter(Files::isRegularFile).map(fresh::relativize).sorted().toList();
        }
        if (Boolean.getBoolean("mllmrec.onnx.regenerate")) {
            for (Path f : files) {
                Files.createDirectories(GOLDEN.resolve(f).getParent());
                Files.copy(fresh.resolve(f), GOLDEN.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        for (Path f : files) {
            assertThat(GOLDEN.resolve(f)).as("golden file %s (regenerate with -Dmllmrec.onnx.regenerate=true)", f)
                    .exists();
            if (f.getFileName().toString().equals("expected.json")) {
                // DJL's scores may differ in the last bits on another CPU: compare them with a tolerance.
                JsonNode want = Json.mapper().readTree(fresh.resolve(f).toFile());
                JsonNode have = Json.mapper().readTree(GOLDEN.resolve(f).toFile());
                assertThat(have.get("catalog")).isEqualTo(want.get("catalog"));
                assertThat(have.get("cases")).hasSameSizeAs(want.get("cases"));
                for (int i = 0; i < want.get("cases").size(); i++) {
                    JsonNode a = have.get("cases").get(i);
                    JsonNode b = want.get("cases").get(i);
                    assertThat(a.get("candidates")).isEqualTo(b.get("candidates"));
                    for (int j = 0; j < b.get("scores").size(); j++) {
                        assertThat(a.get("scores").get(j).asDouble())
                                .as("golden %s case %d (regenerate with -Dmllmrec.onnx.regenerate=true)", f, i)
                                .isCloseTo(b.get("scores").get(j).asDouble(), within(1e-5));
                    }
                }
                continue;
            }
            assertThat(Files.readAllBytes(GOLDEN.resolve(f)))
                    .as("golden file %s is stale (regenerate with -Dmllmrec.onnx.regenerate=true)", f)
                    .isEqualTo(Files.readAllBytes(fresh.resolve(f)));
        }
    }

    private static void writeExpected(Path dir, List<Item> catalog, List<RankingRequest> requests,
                                      List<Ranking> rankings) {
        Map<String, Object> root = new LinkedHashMap<>();
        List<Map<String, Object>> items = new ArrayList<>();
        for (Item i : catalog) {
            items.add(Map.of("id", i.id(), "title", i.title()));
        }
        root.put("catalog", items);
        List<Map<String, Object>> cases = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            RankingRequest r = requests.get(i);
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("user", r.userId());
            c.put("history", r.history());
            c.put("candidates", r.candidates());
            c.put("ranked", rankings.get(i).ids());
            c.put("scores", rankings.get(i).items().stream().map(ScoredItem::score).toList());
            cases.add(c);
        }
        root.put("cases", cases);
        Json.writePretty(dir.resolve("expected.json"), root);
    }
}
