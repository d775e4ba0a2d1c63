package dev.mllmrec.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one checkpoint layout of every trained policy (SFT, its item-sequence pre-training and GRPO): a directory per
 * saved step and a small pointer file per role.
 *
 * <pre>
 * root/step-00000500/...   one checkpoint: whatever the trainer writes, sealed by checksums.json
 * root/latest.json         {"checkpoint": "step-00000500", "step": 500}   the checkpoint a run resumes from
 * root/best.json           {"checkpoint": "step-00000400", "step": 400}   the best validation so far (GRPO)
 * </pre>
 *
 * <p>A save fills a temporary directory, seals it ({@link CheckpointDigest}), renames it into place (a checkpoint
 * of the same step is first renamed to {@code .old-step-N}), then replaces the pointer files atomically, then prunes:
 * the newest {@code keep} step directories stay, and so does every directory a pointer names. A run killed at any
 * moment leaves the previous checkpoint and its pointer whole; {@link #recover} removes temporary directories and
 * puts an orphaned {@code .old-step-N} back.
 *
 * <p>{@link #find} also reads the layout GRPO wrote before this one (named directories {@code root/latest/},
 * {@code root/best/} and {@code root/previous-latest/}), used when no pointer file exists, so existing work
 * directories keep loading and resuming; new saves then write step directories, whose pointers take precedence.
 *
 * <p>Thread-safe: stateless (one writer per root).
 */
public final class CheckpointStore {

    /** The pointer to the checkpoint a run resumes from (and that serving uses when there is no best). */
    public static final String LATEST = "latest";
    /** The pointer to the checkpoint with the best validation metric. */
    public static final String BEST = "best";
    /** The state file every checkpoint holds; a directory without it is not a complete checkpoint. */
    public static final String STATE_FILE = "state.json";

    private static final String PREFIX = "step-";
    private static final Pattern STEP_NAME = Pattern.compile("step-\\d{8,}");
    private static final String TMP = ".tmp-";
    private static final String OLD = ".old-";
    private static final String LEGACY_PREVIOUS = "previous-";
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);

    private CheckpointStore() {
    }

    /** Writes the files of one checkpoint into an empty directory. */
    @FunctionalInterface
    public interface Writer {
        /** Writes the checkpoint's files (at least {@link #STATE_FILE}) into {@code dir}. */
        void write(Path dir) throws IOException;
    }

    /** The directory name of the checkpoint of {@code step}: {@code step-} and at least 8 digits. */
    public static String name(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("A checkpoint step cannot be negative, got " + step + ".");
        }
        return String.format(Locale.ROOT, PREFIX + "%08d", step);
    }

    /** The file of pointer {@code pointer} under {@code root}. */
    public static Path pointerFile(Path root, String pointer) {
        return root.resolve(pointer + ".json");
    }

    /**
     * Writes the checkpoint of {@code step} under {@code root}, points each of {@code pointers} at it, and prunes all
     * but the newest {@code keep} step directories (never one a pointer names).
     *
     * @return the checkpoint directory
     * @throws UncheckedIOException naming the root when a file cannot be written
     */
    public static Path save(Path root, long step, Writer writer, int keep, String... pointers) {
        if (keep < 1) {
            throw new IllegalArgumentException("At least one checkpoint must be kept, got keep=" + keep + ".");
        }
        String name = name(step);
        try {
            Files.createDirectories(root);
            recover(root);
            Path tmp = Files.createTempDirectory(root, TMP + name + "-");
            try {
                writer.write(tmp);
                if (!Files.isRegularFile(tmp.resolve(STATE_FILE))) {
                    throw new IllegalStateException("A checkpoint must hold " + STATE_FILE + "; the writer of "
                            + name + " under " + root + " wrote none.");
                }
                CheckpointDigest.seal(tmp);
            } catch (IOException | RuntimeException e) {
                AtomicFiles.deleteTree(tmp);
                throw e;
            }
            Path dir = root.resolve(name);
            Path old = root.resolve(OLD + name);
            if (Files.exists(dir)) {
                AtomicFiles.moveDirectory(dir, old);
            }
            AtomicFiles.moveDirectory(tmp, dir);
            Map<String, Object> target = new LinkedHashMap<>();
            target.put("checkpoint", name);
            target.put("step", step);
            for (String pointer : pointers) {
                AtomicFiles.writeString(pointerFile(root, pointer), Json.line(target) + "\n");
            }
            AtomicFiles.deleteTree(old);
            prune(root, keep, pointers);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write checkpoint " + name + " under " + root + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * The complete and intact checkpoint that {@code pointer} names under {@code root}, after {@link #recover}.
     * For {@link #LATEST}, when the checkpoint it names fails its checksums (or the pointer is missing or
     * unreadable), the newest intact step directory is used instead, with a warning naming both; for any other
     * pointer a damaged checkpoint is an error. Without a pointer file, the named directory of the older layout
     * ({@code root/<pointer>/}, with {@code root/previous-<pointer>/} as its fallback) is used when present.
     *
     * @throws CorruptCheckpointException naming the damaged file when no intact candidate exists
     */
    public static Optional<Path> find(Path root, String pointer) {
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        recover(root);
        List<Path> candidates = new ArrayList<>();
        Path file = pointerFile(root, pointer);
        boolean pointed = false;
        if (Files.isRegularFile(file)) {
            Optional<Path> target = target(root, file);
            if (target.isPresent()) {
                pointed = true;
                if (Files.isRegularFile(target.get().resolve(STATE_FILE))) {
                    candidates.add(target.get());
                }
            }
        } else if (Files.isRegularFile(root.resolve(pointer).resolve(STATE_FILE))) {
            return legacy(root, pointer);
        }
        if (LATEST.equals(pointer)) {
            List<Path> newestFirst = steps(root);
            Collections.reverse(newestFirst);
            for (Path p : newestFirst) {
                if (!candidates.contains(p)) {
                    candidates.add(p);
                }
            }
        } else if (!pointed) {
            return Optional.empty();
        }
        CorruptCheckpointException first = null;
        for (Path dir : candidates) {
            Optional<CorruptCheckpointException> problem = CheckpointDigest.check(dir);
            if (problem.isEmpty()) {
                if (first != null) {
                    LOG.warn("{} Using the newest intact checkpoint {} instead.", first.getMessage(), dir);
                }
                return Optional.of(dir);
            }
            if (first == null) {
                first = problem.get();
            }
        }
        if (first != null) {
            throw first;
        }
        if (pointed && !LATEST.equals(pointer)) {
            throw new IllegalStateException(file + " names a checkpoint that is missing under " + root
                    + "; delete " + file.getFileName() + " to fall back to " + LATEST + ".");
        }
        return Optional.empty();
    }

    /**
     * The checkpoint directory a user names: a pointer file ({@code root/best.json}: the checkpoint it names), a
     * checkpoint root (its latest), or a directory that is neither (returned as it is, for example adapters
     * exported by another tool).
     *
     * @throws IllegalArgumentException naming the pointer file when it names no complete checkpoint
     */
    public static Path resolve(Path path) {
        String file = path.getFileName() == null ? "" : path.getFileName().toString();
        if (Files.isRegularFile(path) && file.endsWith(".json")) {
            Path root = path.toAbsolutePath().getParent();
            return find(root, file.substring(0, file.length() - ".json".length()))
                    .orElseThrow(() -> new IllegalArgumentException(path + " names no complete checkpoint."));
        }
        if (Files.isRegularFile(path.resolve(STATE_FILE))) {
            return path;
        }
        return find(path, LATEST).orElse(path);
    }

    /**
     * Repairs what a killed save can leave: temporary directories are removed, an {@code .old-<name>} without
     * {@code <name>} is renamed back, and one beside a complete {@code <name>} is deleted.
     */
    public static void recover(Path root) {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.sorted().toList()) {
                String file = p.getFileName().toString();
                if (file.startsWith(TMP) && Files.isDirectory(p)) {
                    AtomicFiles.deleteTree(p);
                } else if (file.startsWith(OLD) && Files.isDirectory(p)) {
                    Path dir = root.resolve(file.substring(OLD.length()));
                    if (Files.isRegularFile(dir.resolve(STATE_FILE))) {
                        AtomicFiles.deleteTree(p);
                    } else {
                        AtomicFiles.deleteTree(dir);
                        AtomicFiles.moveDirectory(p, dir);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot repair checkpoints under " + root + ": " + e.getMessage(), e);
        }
    }

    /** The complete step directories under {@code root}, oldest first. */
    public static List<Path> steps(Path root) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> s = Files.list(root)) {
            s.filter(p -> STEP_NAME.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve(STATE_FILE)))
                    .sorted((a, b) -> Long.compare(step(a), step(b)))
                    .forEach(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + root + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static long step(Path dir) {
        return Long.parseLong(dir.getFileName().toString().substring(PREFIX.length()));
    }

    /** The step directory a pointer file names, or empty (with a warning) when it is unreadable or malformed. */
    private static Optional<Path> target(Path root, Path file) {
        Object name;
        try {
            name = Json.read(file, Map.class).get("checkpoint");
        } catch (UncheckedIOException | IllegalArgumentException e) {
            LOG.warn("Ignoring the unreadable checkpoint pointer {}: {}", file, e.getMessage());
            return Optional.empty();
        }
        if (name == null || !STEP_NAME.matcher(name.toString()).matches()) {
            LOG.warn("Ignoring the checkpoint pointer {}: it names '{}', not a step-N directory.", file, name);
            return Optional.empty();
        }
        return Optional.of(root.resolve(name.toString()));
    }

    private static void prune(Path root, int keep, String... pointers) throws IOException {
        Set<String> names = new HashSet<>(List.of(LATEST, BEST));
        names.addAll(List.of(pointers));
        Set<Path> pointed = new HashSet<>();
        for (String pointer : names) {
            Path file = pointerFile(root, pointer);
            if (Files.isRegularFile(file)) {
                target(root, file).ifPresent(pointed::add);
            }
        }
        List<Path> all = steps(root);
        for (int i = 0; i < all.size() - keep; i++) {
            if (!pointed.contains(all.get(i))) {
                AtomicFiles.deleteTree(all.get(i));
            }
        }
    }

    /** The named directory of the older layout, or its {@code previous-} copy when it is damaged. */
    private static Optional<Path> legacy(Path root, String name) {
        Path dir = root.resolve(name);
        Optional<CorruptCheckpointException> problem = CheckpointDigest.check(dir);
        if (problem.isEmpty()) {
            return Optional.of(dir);
        }
        Path previous = root.resolve(LEGACY_PREVIOUS + name);
        if (Files.isRegularFile(previous.resolve(STATE_FILE)) && CheckpointDigest.isIntact(previous)) {
            LOG.warn("{} Using the newest intact checkpoint {} instead.", problem.get().getMessage(), previous);
            return Optional.of(previous);
        }
        throw problem.get();
    }
}
