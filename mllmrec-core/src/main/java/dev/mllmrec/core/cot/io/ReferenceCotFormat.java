package dev.mllmrec.core.cot.io;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.CotTrace;
import dev.mllmrec.api.InvalidDataException;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.cot.CotParser;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The MLLMRec-R1 reference implementation's reasoning file {@code <name>_deepseek_cot.json}: a JSON list of
 * {@code {"line_idx", "user_id", "history_items", "target_item", "reasoning"}} where items are
 * {@code {"item_id", "title", "image_path"}} with string ids. {@code line_idx} is the sample's index in the training
 * list (the reference joins reasoning to samples by it).
 *
 * <p>Thread-safe: stateless.
 */
public final class ReferenceCotFormat {

    /** The generator id given to imported traces. */
    public static final String IMPORTED = "reference-import";

    private ReferenceCotFormat() {
    }

    /**
     * An item of the reference format.
     *
     * @param itemId    the id, as a string
     * @param title     the title
     * @param imagePath the image path, or {@code null}
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonPropertyOrder({"item_id", "title", "image_path"})
    public record RefItem(@JsonProperty("item_id") String itemId, @JsonProperty("title") String title,
                          @JsonProperty("image_path") String imagePath) {
    }

    /**
     * One entry of the reference format.
     *
     * @param lineIdx      the sample's index in the training list
     * @param userId       the user
     * @param historyItems the history, oldest first
     * @param targetItem   the target
     * @param reasoning    the reasoning text
     */
    @JsonPropertyOrder({"line_idx", "user_id", "history_items", "target_item", "reasoning"})
    public record Entry(@JsonProperty("line_idx") int lineIdx, @JsonProperty("user_id") String userId,
                        @JsonProperty("history_items") List<RefItem> historyItems,
                        @JsonProperty("target_item") RefItem targetItem,
                        @JsonProperty("reasoning") String reasoning) {

        /** Copies. */
        public Entry {
            historyItems = List.copyOf(historyItems == null ? List.of() : historyItems);
        }
    }

    /**
     * Writes {@code traces} (looked up by sample id; samples without a trace are skipped) as the reference format.
     */
    public static void export(Path file, List<RecommendationSample> samples, Map<String, CotTrace> traces,
                              Catalog catalog) {
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            RecommendationSample s = samples.get(i);
            CotTrace t = traces.get(s.sampleId());
            if (t == null) {
                continue;
            }
            List<RefItem> history = s.history().stream().map(id -> item(catalog, id)).toList();
            out.add(new Entry(i, s.userId(), history, item(catalog, s.target()), t.text()));
        }
        Json.writePretty(file, out);
    }

    private static RefItem item(Catalog catalog, int id) {
        Item item = catalog.find(id);
        return new RefItem(Integer.toString(id), item == null ? "Unknown Title" : item.title(),
                item == null ? null : item.image());
    }

    /** Reads the entries of a reference file. */
    public static List<Entry> read(Path file) {
        try {
            return Json.mapper().readValue(file.toFile(), new TypeReference<List<Entry>>() { });
        } catch (IOException e) {
            throw new InvalidDataException(file.toString(), 0, null, "not a reference CoT list: " + e.getMessage());
        }
    }

    /**
     * Imports a reference file as traces of {@code samples}: an entry is joined to the sample with the same user,
     * history and target, else to the sample at its {@code line_idx} when that sample's user matches; entries that
     * join nothing are skipped. The text is parsed with {@link CotParser}.
     *
     * @return traces in sample order
     */
    public static List<CotTrace> importTraces(Path file, List<RecommendationSample> samples) {
        Map<String, String> byKey = new HashMap<>();
        for (RecommendationSample s : samples) {
            byKey.put(key(s.userId(), s.history().stream().map(String::valueOf).toList(),
                    Integer.toString(s.target())), s.sampleId());
        }
        Map<String, String> text = new HashMap<>();
        for (Entry e : read(file)) {
            String id = byKey.get(key(e.userId(), e.historyItems().stream().map(RefItem::itemId).toList(),
                    e.targetItem() == null ? "" : e.targetItem().itemId()));
            if (id == null && e.lineIdx() >= 0 && e.lineIdx() < samples.size()
                    && samples.get(e.lineIdx()).userId().equals(e.userId())) {
                id = samples.get(e.lineIdx()).sampleId();
            }
            if (id != null && e.reasoning() != null) {
                text.putIfAbsent(id, e.reasoning());
            }
        }
        List<CotTrace> out = new ArrayList<>();
        for (RecommendationSample s : samples) {
            String t = text.get(s.sampleId());
            if (t != null) {
                out.add(CotParser.parse(s.sampleId(), IMPORTED, t));
            }
        }
        return out;
    }

    private static String key(String user, List<String> history, String target) {
        return user + "|" + String.join(",", history) + "|" + target;
    }
}
