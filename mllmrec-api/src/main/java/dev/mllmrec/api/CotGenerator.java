package dev.mllmrec.api;

/**
 * Writes a four-step reasoning text about a user's next intent from their history. Implementations say whether
 * they are thread-safe.
 */
public interface CotGenerator {

    /** A stable id recorded with every trace. */
    String id();

    /**
     * Writes the reasoning for one training window.
     *
     * @throws CotGenerationException when a back end fails after its retries
     */
    CotTrace generate(CotRequest request) throws CotGenerationException;
}
