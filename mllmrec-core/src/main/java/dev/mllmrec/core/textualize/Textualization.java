package dev.mllmrec.core.textualize;

import dev.mllmrec.api.Caption;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.TextualizationException;
import dev.mllmrec.api.VisualTextualizer;
import dev.mllmrec.core.JsonLines;
import dev.mllmrec.core.ProgressBar;
import dev.mllmrec.core.StopSignal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Captions a list of items in parallel: each image is read, hashed, skipped when the {@link CaptionStore} already
 * holds its caption, otherwise described and appended to the store as soon as it is done. Failures are collected
 * with their reasons (and written to a JSON Lines file when one is configured) without stopping the run; only a
 * failure to write the caption store itself (disk full, for example) stops it.
 *
 * <p>Thread-safe: {@link #run} may be called again; each call uses its own thread pool.
 */
public final class Textualization {

    private final VisualTextualizer textualizer;
    private final CaptionStore store;
    private final int threads;
    private final Path failuresFile;
    private final boolean progress;
    private final long maxImageBytes;

    private Textualization(Builder b) {
        this.textualizer = b.textualizer;
        this.store = b.store;
        this.threads = b.threads;
        this.failuresFile = b.failuresFile;
        this.progress = b.progress;
        this.maxImageBytes = b.maxImageBytes;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Captions every item that needs it.
     *
     * @param items the items; those without an image are reported as failures
     * @return counts, caption statistics and failures
     */
    public TextualizationReport run(List<Item> items) {
        long start = System.nanoTime();
        AtomicInteger captioned = new AtomicInteger();
        AtomicInteger cached = new AtomicInteger();
        ConcurrentLinkedQueue<TextualizationFailure> failures = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads, daemonThreads());
        try (ProgressBar bar = progress ? new ProgressBar("textualize", items.size(), "images") : null) {
            List<Future<?>> futures = new ArrayList<>(items.size());
            for (Item item : items) {
                futures.add(pool.submit(() -> {
                    if (StopSignal.requested()) {
                        return; // stopping: the item stays uncaptioned, and is captioned when the run resumes
                    }
                    try {
                        switch (process(item)) {
                            case CAPTIONED -> captioned.incrementAndGet();
                            case CACHED -> cached.incrementAndGet();
                            default -> throw new IllegalStateException();
                        }
                    } catch (TextualizationException e) {
                        failures.add(new TextualizationFailure(item.id(), item.image(), e.getMessage()));
                    } finally {
                        if (bar != null) {
                            bar.step();
                        }
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Textualization was interrupted.", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("A textualization task failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        StopSignal.throwIfRequested();
        double seconds = (System.nanoTime() - start) / 1e9;
        List<TextualizationFailure> failed = new ArrayList<>(failures);
        failed.sort(Comparator.comparingInt(TextualizationFailure::itemId));
        if (failuresFile != null) {
            JsonLines.write(failuresFile, failed);
        }
        Set<String> distinct = new HashSet<>();
        long words = 0;
        int maxWords = 0;
        int leaks = 0;
        int described = 0;
        for (Item item : items) {
            Caption c = store.get(item.id());
            if (c == null) {
                continue;
            }
            described++;
            distinct.add(c.text());
            int w = CaptionWriter.words(c.text());
            words += w;
            maxWords = Math.max(maxWords, w);
            if (TitleGuard.of(item.title()).appearsIn(c.text())) {
                leaks++;
            }
        }
        return new TextualizationReport(items.size(), captioned.get(), failed.size(), cached.get(), seconds,
                described == 0 ? 0 : (double) distinct.size() / described, described == 0 ? 0
                : (double) words / described, maxWords, leaks, failed);
    }

    private enum Outcome { CAPTIONED, CACHED }

    private Outcome process(Item item) throws TextualizationException {
        byte[] bytes = readImage(item, maxImageBytes);
        String sha = CaptionStore.sha256(bytes);
        if (!store.needs(item.id(), sha)) {
            return Outcome.CACHED;
        }
        store.put(caption(textualizer, item, bytes, sha));
        return Outcome.CAPTIONED;
    }

    /**
     * Describes one item's image and checks the caption, as {@link #run} does for each item that needs it: a
     * textualizer's unexpected exception, an empty caption or one of more than 50 words fail the item. For
     * distributed jobs that caption items one by one.
     *
     * @param textualizer the textualizer
     * @param item        the item
     * @param bytes       its image ({@link #readImage})
     * @param sha256      the image's SHA-256 ({@link CaptionStore#sha256})
     * @throws TextualizationException naming the image and the problem
     */
    public static Caption caption(VisualTextualizer textualizer, Item item, byte[] bytes, String sha256)
            throws TextualizationException {
        String text;
        try {
            text = textualizer.describe(item, bytes);
        } catch (RuntimeException e) {
            // A bug or an unexpected input in one textualizer call fails that item, not the run.
            throw new TextualizationException("Textualizer " + textualizer.id() + " failed unexpectedly on image "
                    + BuiltinTextualizer.imageName(item) + ": " + e + ".", e);
        }
        if (text == null || text.isBlank()) {
            throw new TextualizationException("Textualizer " + textualizer.id() + " returned an empty caption for "
                    + "image " + BuiltinTextualizer.imageName(item) + ".");
        }
        int words = CaptionWriter.words(text);
        if (words > CaptionWriter.MAX_WORDS) {
            throw new TextualizationException("Textualizer " + textualizer.id() + " returned " + words
                    + " words for image " + BuiltinTextualizer.imageName(item) + ", more than "
                    + CaptionWriter.MAX_WORDS + ".");
        }
        return new Caption(item.id(), sha256, textualizer.id(), textualizer.version(), text.strip());
    }

    /**
     * The bytes of an item's image file.
     *
     * @throws TextualizationException when the item has no image, or it is larger than {@code maxImageBytes} or
     *                                 cannot be read
     */
    public static byte[] readImage(Item item, long maxImageBytes) throws TextualizationException {
        if (!item.hasImage()) {
            throw new TextualizationException("Item " + item.id() + " has no image.");
        }
        String name = BuiltinTextualizer.imageName(item);
        try {
            Path path = Path.of(item.image());
            long size = Files.size(path);
            if (size > maxImageBytes) {
                throw new TextualizationException("Image " + name + " has " + size + " bytes, more than the limit of "
                        + maxImageBytes + ".");
            }
            return Files.readAllBytes(path);
        } catch (InvalidPathException | IOException e) {
            throw new TextualizationException("Image " + name + " cannot be read: " + e + ".", e);
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "textualize-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Builds a {@link Textualization}: {@code set} methods are required, {@code opt} methods have defaults. */
    public static final class Builder {
        private VisualTextualizer textualizer;
        private CaptionStore store;
        private int threads = Runtime.getRuntime().availableProcessors();
        private Path failuresFile;
        private boolean progress = true;
        private long maxImageBytes = ImageLimits.DEFAULT.maxBytes();

        private Builder() {
        }

        /** Required: the textualizer; the store must be bound to its id and version. */
        public Builder setTextualizer(VisualTextualizer textualizer) {
            this.textualizer = textualizer;
            return this;
        }

        /** Required: where captions are cached. */
        public Builder setStore(CaptionStore store) {
            this.store = store;
            return this;
        }

        /** Worker threads; default the number of available processors. */
        public Builder optThreads(int threads) {
            this.threads = threads;
            return this;
        }

        /** Where to write the failures of each run as JSON Lines; default none. */
        public Builder optFailuresFile(Path failuresFile) {
            this.failuresFile = failuresFile;
            return this;
        }

        /** Whether to show a progress bar on standard error; default true. */
        public Builder optProgress(boolean progress) {
            this.progress = progress;
            return this;
        }

        /** The largest image file read, in bytes; default {@link ImageLimits#DEFAULT}'s. */
        public Builder optMaxImageBytes(long maxImageBytes) {
            this.maxImageBytes = maxImageBytes;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the missing or bad setting
         */
        public Textualization build() {
            if (textualizer == null) {
                throw new IllegalArgumentException("Textualization needs a textualizer: call setTextualizer.");
            }
            if (store == null) {
                throw new IllegalArgumentException("Textualization needs a caption store: call setStore.");
            }
            if (!store.textualizerId().equals(textualizer.id())
                    || !store.textualizerVersion().equals(textualizer.version())) {
                throw new IllegalArgumentException("The caption store is bound to " + store.textualizerId() + " "
                        + store.textualizerVersion() + " but the textualizer is " + textualizer.id() + " "
                        + textualizer.version() + ".");
            }
            if (threads < 1) {
                throw new IllegalArgumentException("Textualization needs at least one thread, got " + threads + ".");
            }
            if (maxImageBytes < 1) {
                throw new IllegalArgumentException("The image size limit must be positive, got " + maxImageBytes
                        + ".");
            }
            Objects.requireNonNull(textualizer);
            return new Textualization(this);
        }
    }
}
