package dev.mllmrec.core.cot.llm;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.CotGenerationException;
import dev.mllmrec.api.CotGenerator;
import dev.mllmrec.api.CotRequest;
import dev.mllmrec.api.CotTrace;
import dev.mllmrec.api.Item;
import dev.mllmrec.core.cot.CotParser;
import dev.mllmrec.core.http.ChatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The first reasoning stage: a vision-language model reads the history's images and titles and drafts a
 * pseudo chain of thought ({@link ReasoningPrompts#pseudoMessages}). Its output is the refiner's input; it is
 * parsed like any trace but its Step 3 is a description of plausible next items rather than retrieval criteria.
 * Sees only the {@link CotRequest} (no target).
 *
 * <p>Thread-safe when the back end is.
 */
public final class PseudoCotGenerator implements CotGenerator {

    private final Catalog catalog;
    private final ChatBackend backend;
    private final Function<Item, byte[]> images;
    private final String domain;
    private final String id;

    /**
     * @param catalog the items
     * @param backend a vision-capable chat model
     * @param images  an item's encoded image, or {@code null} when it has none; see {@link #imagesFrom}
     * @param domain  what the items are, for example {@code movie}
     * @param modelId the model's name, recorded in the generator id {@code pseudo:<modelId>}
     */
    public PseudoCotGenerator(Catalog catalog, ChatBackend backend, Function<Item, byte[]> images, String domain,
                              String modelId) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.backend = Objects.requireNonNull(backend, "backend");
        this.images = Objects.requireNonNull(images, "images");
        this.domain = Objects.requireNonNull(domain, "domain");
        this.id = "pseudo:" + modelId;
    }

    /** Reads {@link Item#image()} as a path, relative ones resolved against {@code base}; unreadable → none. */
    public static Function<Item, byte[]> imagesFrom(Path base) {
        return item -> {
            if (item.image() == null) {
                return null;
            }
            try {
                return Files.readAllBytes(base.resolve(item.image()));
            } catch (IOException e) {
                return null;
            }
        };
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public CotTrace generate(CotRequest request) throws CotGenerationException {
        List<Item> history = new ArrayList<>();
        for (int itemId : request.history()) {
            Item item = catalog.find(itemId);
            if (item != null) {
                history.add(item);
            }
        }
        try {
            String reply = backend.complete(ReasoningPrompts.pseudoMessages(request.userId(), history, images,
                    domain));
            return CotParser.parse(request.sampleId(), id, reply);
        } catch (ChatException e) {
            throw new CotGenerationException("The pseudo chain of thought for sample " + request.sampleId()
                    + " failed: " + e.getMessage(), e);
        }
    }
}
