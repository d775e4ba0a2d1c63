package dev.mllmrec.core.rec;

/** Which part of a candidate's answer {@code [ITEM_<id>] <title>} the likelihood recommender scores. */
public enum AnswerScope {
    /**
     * Only the item token: {@code log p([ITEM_<id>] | prompt)}. One prompt pass ranks every candidate, and long
     * titles are not penalised. The default.
     */
    ITEM_TOKEN,
    /** The whole answer line, item token and title: {@code log p([ITEM_<id>] <title> | prompt)}. */
    FULL_ANSWER
}
