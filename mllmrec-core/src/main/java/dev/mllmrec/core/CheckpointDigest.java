package dev.mllmrec.core;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Per-file SHA-256 checksums of a checkpoint directory, kept in its manifest {@value #MANIFEST}:
 *
 * <pre>
 * {"algorithm": "SHA-256", "files": {"model.params": {"sha256": "9f86d0…", "bytes": 81920}, …}}
 * </pre>
 *
 * {@link #seal} is called after every file of a checkpoint is written (before the checkpoint is renamed into
 * place); {@link #verify} before every load. A file that is missing, shorter or longer than recorded, or whose
 * bytes changed, fails with a {@link CorruptCheckpointException} whose one-line message names the file and what to
 * do. A directory without a manifest (written before checksums existed) is accepted as it is.
 *
 * <p>Thread-safe: stateless.
 */
public final class CheckpointDigest {

    /** The manifest file inside a checkpoint directory. */
    public static final String MANIFEST = "checksums.json";
    /** The digest algorithm. */
    public static final String ALGORITHM = "SHA-256";

    private CheckpointDigest() {
    }

    /**
     * The manifest's record of one file.
     *
     * @param sha256 the lower-case hex SHA-256 of the file's bytes
     * @param bytes  the file's length
     */
    public record Entry(String sha256, long bytes) {
    }

    private record Manifest(String algorithm, Map<String, Entry> files) {
    }

    /**
     * Writes the manifest of {@code dir}: the checksum of every regular file directly inside it, except hidden
     * files (temporary files start with a dot) and the manifest itself.
     *
     * @return the manifest file
     */
    public static Path seal(Path dir) {
        Map<String, Entry> files = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s.sorted()::iterator) {
                String name = p.getFileName().toString();
                if (Files.isRegularFile(p) && !name.startsWith(".") && !name.equals(MANIFEST)) {
                    files.put(name, new Entry(sha256(p), Files.size(p)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + dir + " to record its checksums: " + e.getMessage(), e);
        }
        Path manifest = dir.resolve(MANIFEST);
        Json.writePretty(manifest, new Manifest(ALGORITHM, files));
        return manifest;
    }

    /**
     * Checks every file the manifest of {@code dir} lists.
     *
     * @throws CorruptCheckpointException naming the first damaged file and what to do
     */
    public static void verify(Path dir) {
        Optional<CorruptCheckpointException> problem = check(dir);
        if (problem.isPresent()) {
            throw problem.get();
        }
    }

    /** Whether every file the manifest of {@code dir} lists is present and unchanged. */
    public static boolean isIntact(Path dir) {
        return check(dir).isEmpty();
    }

    /** The first damaged file of {@code dir}, as the exception {@link #verify} would throw, or empty. */
    public static Optional<CorruptCheckpointException> check(Path dir) {
        Path manifestFile = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifestFile)) {
            return Optional.empty();
        }
        Manifest manifest;
        try {
            manifest = Json.mapper().readValue(manifestFile.toFile(), new TypeReference<Manifest>() { });
        } catch (IOException e) {
            return Optional.of(damaged(dir, manifestFile, "cannot be read (" + oneLine(e) + ")"));
        }
        if (manifest.files() == null || !ALGORITHM.equals(manifest.algorithm())) {
            return Optional.of(damaged(dir, manifestFile, "is not a " + ALGORITHM + " checksum manifest"));
        }
        for (Map.Entry<String, Entry> e : manifest.files().entrySet()) {
            Path file = dir.resolve(e.getKey());
            Entry want = e.getValue();
            try {
                if (!Files.isRegularFile(file)) {
                    return Optional.of(damaged(dir, file, "is missing"));
                }
                long size = Files.size(file);
                if (size < want.bytes()) {
                    return Optional.of(damaged(dir, file, "is truncated (" + size + " of " + want.bytes()
                            + " bytes)"));
                }
                if (size != want.bytes()) {
                    return Optional.of(damaged(dir, file, "has " + size + " bytes, " + want.bytes()
                            + " were written"));
                }
                if (!sha256(file).equals(want.sha256())) {
                    return Optional.of(damaged(dir, file, "is corrupted (its " + ALGORITHM
                            + " does not match " + MANIFEST + ")"));
                }
            } catch (IOException | UncheckedIOException ex) {
                return Optional.of(damaged(dir, file, "cannot be read (" + oneLine(ex) + ")"));
            }
        }
        return Optional.empty();
    }

    /** The lower-case hex SHA-256 of {@code file}'s bytes. */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance(ALGORITHM);
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + oneLine(e), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("The JVM has no " + ALGORITHM + ".", e);
        }
    }

    private static CorruptCheckpointException damaged(Path dir, Path file, String what) {
        return new CorruptCheckpointException(file, "Checkpoint file " + file + " " + what
                + "; delete the checkpoint " + dir + " and run the training command again (it resumes from the"
                + " newest intact checkpoint), or restore the file from a copy.");
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage();
        return (m == null ? e.getClass().getSimpleName() : m).replaceAll("\\s+", " ");
    }
}
