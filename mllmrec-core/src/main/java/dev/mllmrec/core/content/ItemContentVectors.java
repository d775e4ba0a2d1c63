package dev.mllmrec.core.content;

import dev.mllmrec.core.AtomicFiles;
import dev.mllmrec.core.embed.TextEncoder;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Frozen sentence-embedding vectors of item texts, computed once per distinct text and cached on disk by the text's
 * SHA-256, so that a second run (another seed, another variant sharing texts) encodes nothing and a changed caption
 * re-encodes only its item. One cache file per encoder ({@code <dir>/<encoder id>.vectors}), rewritten atomically.
 *
 * <p>File format: magic {@code MLRV}, version 1, the dimension, the count, then per entry the 32-byte SHA-256 of the
 * UTF-8 text and {@code dimension} big-endian floats.
 *
 * <p>Not thread-safe: one writer per cache directory.
 */
public final class ItemContentVectors {

    private static final int MAGIC = 0x4D4C5256; // "MLRV"
    private static final int VERSION = 1;

    private ItemContentVectors() {
    }

    /**
     * The vector of each text, in the order given, from the cache where possible and from {@code encoder}
     * otherwise (the new ones are added to the cache).
     *
     * @param cacheDir where the cache file lives (created if needed); {@code null}: no cache
     */
    public static float[][] encode(List<String> texts, TextEncoder encoder, Path cacheDir) {
        Path file = cacheDir == null ? null : cacheDir.resolve(encoder.id() + ".vectors");
        Map<String, float[]> cache = file == null ? new LinkedHashMap<>() : read(file, encoder.dimension());
        String[] keys = texts.stream().map(ItemContentVectors::sha256).toArray(String[]::new);
        List<String> missing = new ArrayList<>();
        List<String> missingKeys = new ArrayList<>();
        java.util.Set<String> pending = new java.util.HashSet<>();
        for (int i = 0; i < keys.length; i++) {
            if (!cache.containsKey(keys[i]) && pending.add(keys[i])) {
                missing.add(texts.get(i));
                missingKeys.add(keys[i]);
            }
        }
        if (!missing.isEmpty()) {
            float[][] fresh = encoder.encode(missing);
            for (int i = 0; i < fresh.length; i++) {
                cache.put(missingKeys.get(i), fresh[i]);
            }
            if (file != null) {
                write(file, encoder.dimension(), cache);
            }
        }
        float[][] out = new float[texts.size()][];
        for (int i = 0; i < keys.length; i++) {
            out[i] = cache.get(keys[i]);
        }
        return out;
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available.", e);
        }
    }

    private static Map<String, float[]> read(Path file, int dimension) {
        Map<String, float[]> out = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw))) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                throw new IllegalStateException(file + " is not an item-vector cache of version " + VERSION
                        + "; delete it to rebuild it.");
            }
            int dim = in.readInt();
            int count = in.readInt();
            if (dim != dimension) {
                // Another encoder configuration wrote it: start afresh (the file is rewritten on the next encode).
                return out;
            }
            byte[] key = new byte[32];
            for (int i = 0; i < count; i++) {
                in.readFully(key);
                float[] v = new float[dim];
                for (int j = 0; j < dim; j++) {
                    v[j] = in.readFloat();
                }
                out.put(HexFormat.of().formatHex(key), v);
            }
        } catch (java.io.EOFException e) {
            throw new IllegalStateException(file + " is truncated; delete it to rebuild the item-vector cache.", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static void write(Path file, int dimension, Map<String, float[]> cache) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + cache.size() * (32 + 4 * dimension));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(dimension);
            out.writeInt(cache.size());
            for (Map.Entry<String, float[]> e : cache.entrySet()) {
                out.write(HexFormat.of().parseHex(e.getKey()));
                for (float f : e.getValue()) {
                    out.writeFloat(f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        AtomicFiles.write(file, bytes.toByteArray());
    }
}
