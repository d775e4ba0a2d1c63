package dev.mllmrec.core.cot.llm;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.CotGenerationException;
import dev.mllmrec.api.CotGenerator;
import dev.mllmrec.api.CotRequest;
import dev.mllmrec.api.CotTrace;
import dev.mllmrec.api.Item;
import dev.mllmrec.core.cot.CotParser;
import dev.mllmrec.core.http.ChatException;
import dev.mllmrec.core.http.ChatMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The second reasoning stage: a reasoning model (the reference uses DeepSeek-R1) reads the history's titles and
 * captions, and optionally the pseudo chain of thought, and writes the four training steps
 * ({@link ReasoningPrompts#refinePrompt}).
 *
 * <p><b>Leakage risk.</b> The reference implementation also shows the target item to the refiner. That lets the
 * reasoning name or describe the answer, which inflates training reward without improving ranking. Here the target
 * is shown only when {@link Builder#optShowTarget} is given the targets explicitly (off by default); the leakage
 * assessor then has to catch what leaks.
 *
 * <p>Thread-safe when the back end is.
 */
public final class CotRefiner implements CotGenerator {

    private final Catalog catalog;
    private final Map<Integer, String> captions;
    private final ChatBackend backend;
    private final Map<String, String> pseudoCots;
    private final Map<String, Integer> shownTargets;
    private final String id;

    private CotRefiner(Builder b) {
        this.catalog = b.catalog;
        this.captions = Map.copyOf(b.captions);
        this.backend = b.backend;
        this.pseudoCots = Map.copyOf(b.pseudoCots);
        this.shownTargets = b.shownTargets == null ? null : Map.copyOf(b.shownTargets);
        this.id = "refine:" + b.modelId + (shownTargets != null ? "+target" : "");
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String id() {
        return id;
    }

    /** Whether the target is shown to the model (a leakage risk). */
    public boolean showsTarget() {
        return shownTargets != null;
    }

    @Override
    public CotTrace generate(CotRequest request) throws CotGenerationException {
        String prompt = prompt(request);
        try {
            String reply = backend.complete(List.of(ChatMessage.user(prompt)));
            return CotParser.parse(request.sampleId(), id, reply);
        } catch (ChatException e) {
            throw new CotGenerationException("The refined chain of thought for sample " + request.sampleId()
                    + " failed: " + e.getMessage(), e);
        }
    }

    /** The prompt sent for {@code request}. */
    public String prompt(CotRequest request) {
        List<Item> history = new ArrayList<>();
        for (int itemId : request.history()) {
            Item item = catalog.find(itemId);
            if (item != null) {
                history.add(item);
            }
        }
        Item target = null;
        if (shownTargets != null) {
            Integer t = shownTargets.get(request.sampleId());
            target = t == null ? null : catalog.find(t);
        }
        return ReasoningPrompts.refinePrompt(request.userId(), history, item -> captions.get(item.id()),
                pseudoCots.get(request.sampleId()), target);
    }

    /** Builds a {@link CotRefiner}. Required: catalog, backend, model id. Optional: captions, pseudo CoTs, targets. */
    public static final class Builder {
        private Catalog catalog;
        private ChatBackend backend;
        private String modelId;
        private Map<Integer, String> captions = Map.of();
        private Map<String, String> pseudoCots = Map.of();
        private Map<String, Integer> shownTargets;

        private Builder() {
        }

        /** The items. */
        public Builder setCatalog(Catalog catalog) {
            this.catalog = catalog;
            return this;
        }

        /** The reasoning model. */
        public Builder setBackend(ChatBackend backend) {
            this.backend = backend;
            return this;
        }

        /** The model's name, recorded in the generator id {@code refine:<modelId>}. */
        public Builder setModelId(String modelId) {
            this.modelId = modelId;
            return this;
        }

        /** Caption text by item id (default none: captions read "None"). */
        public Builder optCaptions(Map<Integer, String> captions) {
            this.captions = Objects.requireNonNull(captions, "captions");
            return this;
        }

        /** Pseudo chain-of-thought text by sample id (default none). */
        public Builder optPseudoCots(Map<String, String> pseudoCots) {
            this.pseudoCots = Objects.requireNonNull(pseudoCots, "pseudoCots");
            return this;
        }

        /**
         * Shows each sample's target (by sample id) to the model, as the reference does. <b>Leakage risk</b>: the
         * reasoning can then name the answer; keep the leakage assessor on. Off by default.
         */
        public Builder optShowTarget(Map<String, Integer> targetsBySampleId) {
            this.shownTargets = Objects.requireNonNull(targetsBySampleId, "targetsBySampleId");
            return this;
        }

        /** Validates and builds. */
        public CotRefiner build() {
            if (catalog == null || backend == null || modelId == null || modelId.isBlank()) {
                throw new IllegalArgumentException("A CotRefiner needs a catalog, a chat backend and a model id"
                        + " (setCatalog, setBackend, setModelId).");
            }
            return new CotRefiner(this);
        }
    }
}
