package dev.mllmrec.core.lm.hf;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.core.lm.Dropout;
import dev.mllmrec.core.optim.Adam;
import dev.mllmrec.core.lm.tokenizer.HfTextTokenizer;
import dev.mllmrec.core.prompt.PromptBuilder;
import dev.mllmrec.core.rec.AnswerScope;
import dev.mllmrec.core.rec.LikelihoodRecommender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pretrained path end to end on a folder the test writes: small random Qwen3-architecture weights (BF16) beside
 * the real Qwen3 {@code tokenizer.json}, reference-style prompts, likelihood ranking of titled answers, LoRA steps on
 * one answer, adapters saved and loaded into a fresh copy of the base.
 */
class PretrainedPathTest {

    @Test
    void qwen3TokenizerReferencePromptsLikelihoodRankingAndLora(@TempDir Path tmp) throws Exception {
        Path tokenizerJson = HfDecoderTest.models().getParent().resolve("data/tokenizers/qwen3/tokenizer.json");
        Assumptions.assumeTrue(Files.isRegularFile(tokenizerJson), "Qwen3 tokenizer not found: " + tokenizerJson);
        HfConfig config = new HfConfig(HfConfig.Family.QWEN3, 32, 64, 2, 4, 2, 16, 151_936, 2048, 1e-6, 1e6, true,
                false, false, 151_643, new int[] {151_645});
        Path folder = tmp.resolve("qwen3-tiny");
        HfDecoder.writeFolder(folder, config, HfDecoder.randomWeights(config, 5, 0.05), "BF16");
        Files.copy(tokenizerJson, folder.resolve("tokenizer.json"));

        PromptBuilder prompts = PromptBuilder.builder().optStyle(PromptBuilder.Style.REFERENCE)
                .setTitles(id -> "Movie number " + id + " (1999)").build();
        RankingRequest request = new RankingRequest("u1", List.of(11, 12, 13), List.of(21, 22, 23, 24));
        int target = 23;
        Path adapters = tmp.resolve("adapters");
        Ranking trained;
        try (HfTextTokenizer tokenizer = HfTextTokenizer.load(folder.resolve("tokenizer.json"));
             HfDecoder model = HfDecoder.load(folder)) {
            assertThat(tokenizer.vocabSize()).isLessThanOrEqualTo(model.vocabSize());
            LikelihoodRecommender rec = new LikelihoodRecommender("pretrained", model, tokenizer, prompts,
                    AnswerScope.FULL_ANSWER);
            Ranking before = rec.rank(request);
            assertThat(before.ids()).containsExactlyInAnyOrderElementsOf(request.candidates());

            model.enableLora(new LoraConfig(4, 8, 0.05, EnumSet.allOf(LoraConfig.Target.class), 3));
            int[] prompt = tokenizer.encode(prompts.prompt(request));
            int[] answer = tokenizer.encode(prompts.answer(target));
            try (Adam opt = Adam.adamW(model.parameters(), model.manager(), 0.9, 0.999, 1e-8, 0)) {
                for (int step = 0; step < 8; step++) {
                    opt.zeroGradients();
                    answerLoss(model, prompt, answer, new Dropout(0.05, step));
                    opt.update(2e-2, 1.0);
                }
            }
            trained = rec.rank(request);
            assertThat(trained.ids().get(0)).isEqualTo(target);
            assertThat(score(trained, target)).isGreaterThan(score(before, target));
            model.saveAdapters(adapters);
        }
        try (HfTextTokenizer tokenizer = HfTextTokenizer.load(folder.resolve("tokenizer.json"));
             HfDecoder fresh = HfDecoder.load(folder)) {
            fresh.loadAdapters(adapters);
            fresh.mergeAdapters();
            Ranking served = new LikelihoodRecommender("pretrained", fresh, tokenizer, prompts,
                    AnswerScope.FULL_ANSWER).rank(request);
            assertThat(served.ids()).isEqualTo(trained.ids());
            for (int id : request.candidates()) {
                assertThat(score(served, id)).isCloseTo(score(trained, id), org.assertj.core.data.Offset.offset(1e-3));
            }
        }
    }

    private static double score(Ranking r, int id) {
        return r.items().stream().filter(s -> s.itemId() == id).findFirst().orElseThrow().score();
    }

    /** Backward of the answer tokens' negative log-likelihood after the prompt. */
    private static void answerLoss(HfDecoder model, int[] prompt, int[] answer, Dropout dropout) {
        int n = prompt.length + answer.length - 1;
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i < prompt.length ? prompt[i] : answer[i - prompt.length];
        }
        long[] positions = new long[answer.length];
        long[] targets = new long[answer.length];
        for (int t = 0; t < answer.length; t++) {
            positions[t] = prompt.length - 1 + t;
            targets[t] = (long) t * model.vocabSize() + answer[t];
        }
        try (NDManager step = model.manager().newSubManager();
             GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray hidden = model.hidden(step.create(ids, new Shape(1, n)), null, null, null, dropout);
            // The output layer only on the answer positions: a 152k vocabulary over the whole prompt is the cost.
            NDArray rows = hidden.reshape(n, -1).get(new ai.djl.ndarray.index.NDIndex("{}", step.create(positions)));
            NDArray loss = model.logits(rows).logSoftmax(-1).reshape(-1).take(step.create(targets)).sum().neg();
            gc.backward(loss);
        }
    }
}
