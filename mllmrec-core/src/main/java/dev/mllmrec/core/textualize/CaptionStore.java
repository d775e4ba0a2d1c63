package dev.mllmrec.core.textualize;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.mllmrec.api.Caption;
import dev.mllmrec.api.Item;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.JsonLines;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The caption cache: a JSON Lines file of {@link Caption} records keyed by (item id, image SHA-256, textualizer id,
 * textualizer version). A store is bound to one textualizer id and version: {@link #needs} says whether an item's
 * current image still has to be captioned by it, so a changed image or a new textualizer version is captioned again
 * and nothing else is.
 *
 * <p>Durability: {@link #put} queues one JSON line; queued lines are appended in one write and forced to disk
 * ({@link JsonLines.Appender}) every {@value #BATCH_LINES} captions, at least every {@value #BATCH_MILLIS} ms while
 * captions arrive, on {@link #flush} and on {@link #close} (group commit: one disk sync per batch instead of one per
 * caption). Opening the store cuts off a torn last line left by a killed run and keeps the last line of any key
 * written twice (rewriting the file atomically when it had duplicates). A run killed at any moment therefore
 * resumes with nothing duplicated and nothing lost: at most the captions still queued are described again.
 *
 * <p>Thread-safe.
 */
public final class CaptionStore implements Closeable {

    /** Captions queued before a write and disk sync. */
    public static final int BATCH_LINES = 64;
    /** The longest a caption waits in the queue while others arrive, in milliseconds. */
    public static final long BATCH_MILLIS = 250;

    private record Key(int itemId, String sha, String textualizerId, String version) {
    }

    private final Path file;
    private final String textualizerId;
    private final String textualizerVersion;
    private final Map<Key, Caption> all = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<Integer, Caption> current = new ConcurrentHashMap<>();
    private final int duplicatesDropped;
    private final JsonLines.Appender appender;
    private final Object writeLock = new Object();
    private List<String> pending = new ArrayList<>();
    private long lastWrite = System.nanoTime();

    private CaptionStore(Path file, String textualizerId, String textualizerVersion) {
        this.file = file;
        this.textualizerId = textualizerId;
        this.textualizerVersion = textualizerVersion;
        List<Caption> lines = JsonLines.read(file, Caption.class);
        for (Caption c : lines) {
            all.remove(keyOf(c));
            all.put(keyOf(c), c);
        }
        for (Caption c : all.values()) {
            if (isOurs(c)) {
                current.put(c.itemId(), c);
            }
        }
        this.duplicatesDropped = lines.size() - all.size();
        if (duplicatesDropped > 0) {
            JsonLines.write(file, new ArrayList<>(all.values()));
        }
        this.appender = JsonLines.appender(file);
    }

    /**
     * Opens (or creates) the store at {@code file}, bound to one textualizer.
     *
     * @param file               for example {@code W/captions.jsonl}
     * @param textualizerId      the id whose captions {@link #needs}, {@link #get} and exports refer to
     * @param textualizerVersion that textualizer's version
     */
    public static CaptionStore open(Path file, String textualizerId, String textualizerVersion) {
        Objects.requireNonNull(file, "file");
        if (textualizerId == null || textualizerId.isBlank() || textualizerVersion == null
                || textualizerVersion.isBlank()) {
            throw new IllegalArgumentException("A caption store needs a textualizer id and version, got '"
                    + textualizerId + "' and '" + textualizerVersion + "'.");
        }
        return new CaptionStore(file, textualizerId, textualizerVersion);
    }

    /** The JSON Lines file. */
    public Path file() {
        return file;
    }

    /** The textualizer id this store is bound to. */
    public String textualizerId() {
        return textualizerId;
    }

    /** The textualizer version this store is bound to. */
    public String textualizerVersion() {
        return textualizerVersion;
    }

    /** How many duplicate lines (same key written twice) opening the file dropped. */
    public int duplicatesDropped() {
        return duplicatesDropped;
    }

    /** Whether the item's image with this SHA-256 still needs a caption from the bound textualizer. */
    public boolean needs(int itemId, String imageSha256) {
        Caption c = current.get(itemId);
        return c == null || !c.imageSha256().equals(imageSha256);
    }

    /** The bound textualizer's latest caption for the item, or {@code null}. */
    public Caption get(int itemId) {
        return current.get(itemId);
    }

    /**
     * The prompt line of an item with its caption when this store has one: {@code [ITEM_<id>] <title> — <caption>},
     * else {@code [ITEM_<id>] <title>}.
     */
    public String itemLine(Item item) {
        Caption c = current.get(item.id());
        return itemLine(item, c == null ? null : c.text());
    }

    /** {@code [ITEM_<id>] <title> — <caption>}, or {@code [ITEM_<id>] <title>} when the caption is null or blank. */
    public static String itemLine(Item item, String caption) {
        String base = item.token() + " " + item.title();
        return caption == null || caption.isBlank() ? base : base + " — " + caption.strip();
    }

    /** How many items have a caption from the bound textualizer. */
    public int size() {
        return current.size();
    }

    /** Every caption of the bound textualizer, by item id (a snapshot). */
    public Map<Integer, Caption> captions() {
        return Collections.unmodifiableMap(new TreeMap<>(current));
    }

    /** How many lines (all textualizers, duplicates removed) the store holds. */
    public int lines() {
        return all.size();
    }

    /**
     * Records a caption: visible to {@link #needs} and {@link #get} at once, on disk with the next batch.
     *
     * @throws IllegalArgumentException if the caption is from another textualizer or version than the bound one
     */
    public void put(Caption caption) {
        if (!isOurs(caption)) {
            throw new IllegalArgumentException("Caption for item " + caption.itemId() + " is from "
                    + caption.textualizerId() + " " + caption.textualizerVersion() + " but this store is bound to "
                    + textualizerId + " " + textualizerVersion + ".");
        }
        String line = Json.line(caption);
        boolean write;
        synchronized (this) {
            pending.add(line);
            all.remove(keyOf(caption));
            all.put(keyOf(caption), caption);
            current.put(caption.itemId(), caption);
            write = pending.size() >= BATCH_LINES || System.nanoTime() - lastWrite >= BATCH_MILLIS * 1_000_000L;
        }
        if (write) {
            flush();
        }
    }

    /** Appends every queued caption in one write and forces it to disk. */
    public void flush() {
        synchronized (writeLock) {
            List<String> batch;
            synchronized (this) {
                batch = pending;
                pending = new ArrayList<>();
                lastWrite = System.nanoTime();
            }
            if (!batch.isEmpty()) {
                // One write and one sync for the whole batch; each line is a complete JSON record.
                appender.appendRaw(String.join("\n", batch));
            }
        }
    }

    /**
     * Writes the bound textualizer's captions in the reference {@code captions.json} format, atomically.
     *
     * @param json    the file to write
     * @param titleOf the title of each item id (for example {@code id -> catalog.get(id).title()})
     * @return the number of entries written
     */
    public int exportReference(Path json, IntFunction<String> titleOf) {
        Map<Integer, ReferenceCaption> out = new TreeMap<>();
        for (Caption c : captions().values()) {
            out.put(c.itemId(), new ReferenceCaption(titleOf.apply(c.itemId()), c.text()));
        }
        writeReference(json, out);
        return out.size();
    }

    /**
     * Adds the captions of a reference {@code captions.json} under the bound textualizer id and version, skipping
     * items whose current caption for the same image is already stored.
     *
     * @param json    the file to read
     * @param shaOf   the SHA-256 of each item's current image; items it maps to {@code null} are skipped
     * @return the number of captions added
     */
    public int importReference(Path json, Function<Integer, String> shaOf) {
        int added = 0;
        for (Map.Entry<Integer, ReferenceCaption> e : readReference(json).entrySet()) {
            String sha = shaOf.apply(e.getKey());
            if (sha != null && needs(e.getKey(), sha)) {
                put(new Caption(e.getKey(), sha, textualizerId, textualizerVersion, e.getValue().caption()));
                added++;
            }
        }
        return added;
    }

    /** Reads a reference {@code captions.json}, by item id. */
    public static Map<Integer, ReferenceCaption> readReference(Path json) {
        Map<String, ReferenceCaption> raw;
        try {
            raw = Json.mapper().readValue(json.toFile(), new TypeReference<LinkedHashMap<String, ReferenceCaption>>() {
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read captions from " + json + ": " + e.getMessage(), e);
        }
        Map<Integer, ReferenceCaption> out = new TreeMap<>();
        for (Map.Entry<String, ReferenceCaption> e : raw.entrySet()) {
            int id;
            try {
                id = Integer.parseInt(e.getKey().strip());
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("Captions file " + json + " has the key '" + e.getKey()
                        + "', which is not an item id.", ex);
            }
            out.put(id, e.getValue());
        }
        return out;
    }

    /** Writes a reference {@code captions.json} atomically, entries in ascending item id order. */
    public static void writeReference(Path json, Map<Integer, ReferenceCaption> captions) {
        Map<String, ReferenceCaption> out = new LinkedHashMap<>();
        new TreeMap<>(captions).forEach((id, c) -> out.put(Integer.toString(id), c));
        Json.writePretty(json, out);
    }

    /** The lower-case hex SHA-256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM.", e);
        }
    }

    private boolean isOurs(Caption c) {
        return c.textualizerId().equals(textualizerId) && c.textualizerVersion().equals(textualizerVersion);
    }

    private static Key keyOf(Caption c) {
        return new Key(c.itemId(), c.imageSha256(), c.textualizerId(), c.textualizerVersion());
    }

    /** Flushes the queue and closes the file. */
    @Override
    public void close() {
        try {
            flush();
        } finally {
            appender.close();
        }
    }
}
