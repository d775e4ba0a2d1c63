package dev.mllmrec.core.rec;

import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.Recommender;
import dev.mllmrec.api.ScoredItem;
import dev.mllmrec.core.Seeds;
import dev.mllmrec.core.lm.GenerationConfig;
import dev.mllmrec.core.lm.Generator;
import dev.mllmrec.core.lm.PolicyModel;
import dev.mllmrec.core.lm.tokenizer.TextTokenizer;
import dev.mllmrec.core.prompt.AnswerParser;
import dev.mllmrec.core.prompt.PromptBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The reference protocol: the policy writes its answer greedily, {@code [ITEM_<id>] <title>}, and the named
 * candidate is ranked first. The other candidates carry no model information, so they follow in a seeded random
 * order (a malformed answer or a non-candidate id ranks every candidate that way). HR@1 of this recommender is the
 * reference's accuracy; HR@K for larger K is what a single generated answer is worth.
 *
 * <p>Thread-safe: generation holds no mutable state; the seed makes the order of the remaining candidates
 * reproducible per user.
 */
public final class GenerativeRecommender implements Recommender {

    /** The name used in reports. */
    public static final String NAME = "generative";

    private final String name;
    private final TextTokenizer tokenizer;
    private final PromptBuilder prompts;
    private final Generator generator;
    private final GenerationConfig config;
    private final AnswerParser parser;
    private final long seed;

    /**
     * @param name      the model name used in reports
     * @param model     the policy
     * @param tokenizer its tokenizer
     * @param prompts   renders a request as the prompt the policy was trained on
     * @param parser    how the answer is read (strict = the reference regex)
     * @param seed      orders the candidates that were not generated
     */
    public GenerativeRecommender(String name, PolicyModel model, TextTokenizer tokenizer, PromptBuilder prompts,
                                 AnswerParser parser, long seed) {
        this.name = Objects.requireNonNull(name, "name");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.prompts = Objects.requireNonNull(prompts, "prompts");
        this.parser = Objects.requireNonNull(parser, "parser");
        this.generator = new Generator(model, tokenizer);
        this.config = GenerationConfig.builder().optMaxNewTokens(48).optSeed(seed).build();
        this.seed = seed;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Ranking rank(RankingRequest request) {
        return rankAll(List.of(request)).get(0);
    }

    @Override
    public List<Ranking> rankAll(List<RankingRequest> requests) {
        List<String> texts = new ArrayList<>(requests.size());
        for (RankingRequest r : requests) {
            texts.add(prompts.prompt(r));
        }
        List<String> answers = generator.generateText(texts, config);
        List<Ranking> out = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            RankingRequest r = requests.get(i);
            int chosen = parser.parseId(answers.get(i).strip());
            SplittableRandom rng = Seeds.random(seed, r.userId() + "|" + r.candidates());
            List<ScoredItem> items = new ArrayList<>();
            for (int c : r.candidates()) {
                double score = c == chosen ? 2.0 : rng.nextDouble();
                items.add(new ScoredItem(c, score));
            }
            out.add(Ranking.sorted(r.userId(), items));
        }
        return out;
    }
}
