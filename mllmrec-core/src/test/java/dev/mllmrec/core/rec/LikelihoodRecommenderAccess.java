package dev.mllmrec.core.rec;

/** Test access to {@link LikelihoodRecommender}'s package-private sizing. */
public final class LikelihoodRecommenderAccess {

    private LikelihoodRecommenderAccess() {
    }

    /** {@link LikelihoodRecommender#answersPerPass}, whole answers or item tokens. */
    public static int answersPerPass(int vocabSize, boolean fullAnswer) {
        return LikelihoodRecommender.answersPerPass(vocabSize, fullAnswer ? AnswerScope.FULL_ANSWER
                : AnswerScope.ITEM_TOKEN);
    }
}
