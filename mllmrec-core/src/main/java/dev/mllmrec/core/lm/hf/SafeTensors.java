package dev.mllmrec.core.lm.hf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mllmrec.core.AtomicFiles;
import dev.mllmrec.core.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes the <a href="https://huggingface.co/docs/safetensors">safetensors</a> format: an 8-byte
 * little-endian header length, a JSON header mapping each tensor name to its {@code dtype}, {@code shape} and
 * {@code data_offsets} (relative to the end of the header), then the raw little-endian data. Tensors of dtype
 * {@code F32}, {@code BF16} and {@code F16} are read as float32 ({@code F64} too, rounded).
 *
 * <p>A model folder holds either one {@code model.safetensors} or shards listed by
 * {@code model.safetensors.index.json} ({@code weight_map}: tensor name to shard file); {@link #openFolder} reads
 * both. Every header is checked against the file's size, so a truncated download fails at open with the file
 * named, not later with garbage weights.
 */
public final class SafeTensors implements AutoCloseable {

    /** The single-file weights of a model folder. */
    public static final String SINGLE_FILE = "model.safetensors";
    /** The index of a sharded model folder. */
    public static final String INDEX_FILE = "model.safetensors.index.json";

    /** One tensor's entry in a header. */
    public record Entry(String name, String dtype, long[] shape, long begin, long end, Path file) {

        /** The number of elements. */
        public long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        /** The shape as {@code [a, b]}. */
        public String shapeText() {
            return Arrays.toString(shape);
        }
    }

    private final Map<String, Entry> entries;
    private final Map<Path, FileChannel> channels;

    private SafeTensors(Map<String, Entry> entries, Map<Path, FileChannel> channels) {
        this.entries = entries;
        this.channels = channels;
    }

    /** Opens the weights of a model folder: {@code model.safetensors}, or the shards of its index. */
    public static SafeTensors openFolder(Path dir) {
        Path index = dir.resolve(INDEX_FILE);
        Path single = dir.resolve(SINGLE_FILE);
        List<Path> files = new ArrayList<>();
        Map<String, String> weightMap = null;
        if (Files.isRegularFile(index)) {
            JsonNode root = readJson(index);
            JsonNode map = root.get("weight_map");
            if (map == null || !map.isObject()) {
                throw new IllegalArgumentException(index + " has no \"weight_map\" object.");
            }
            weightMap = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                weightMap.put(e.getKey(), e.getValue().asText());
                Path shard = dir.resolve(e.getValue().asText());
                if (!files.contains(shard)) {
                    files.add(shard);
                }
            }
        } else if (Files.isRegularFile(single)) {
            files.add(single);
        } else {
            throw new IllegalArgumentException("No weights in " + dir + ": expected " + SINGLE_FILE + " or "
                    + INDEX_FILE + " with its shards.");
        }
        SafeTensors st = open(files);
        if (weightMap != null) {
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                Entry found = st.entries.get(e.getKey());
                if (found == null) {
                    st.close();
                    throw new IllegalArgumentException(index + " lists tensor '" + e.getKey() + "' in "
                            + e.getValue() + ", but that file has no such tensor.");
                }
            }
        }
        return st;
    }

    /** Opens one or more safetensors files as one set of tensors (a name may occur only once). */
    public static SafeTensors open(List<Path> files) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<Path, FileChannel> channels = new LinkedHashMap<>();
        try {
            for (Path file : files) {
                if (!Files.isRegularFile(file)) {
                    throw new IllegalArgumentException("Weights file " + file + " does not exist.");
                }
                FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                channels.put(file, ch);
                for (Entry e : readHeader(file, ch)) {
                    Entry before = entries.putIfAbsent(e.name(), e);
                    if (before != null) {
                        throw new IllegalArgumentException("Tensor '" + e.name() + "' occurs in both "
                                + before.file() + " and " + file + ".");
                    }
                }
            }
        } catch (IOException e) {
            closeAll(channels);
            throw new UncheckedIOException("Cannot read weights: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeAll(channels);
            throw e;
        }
        return new SafeTensors(entries, channels);
    }

    private static List<Entry> readHeader(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new IllegalArgumentException(file + " is truncated: " + size + " bytes, not even a header length.");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0);
        long headerLen = lenBuf.getLong(0);
        if (headerLen <= 0 || headerLen > 100_000_000L || 8 + headerLen > size) {
            throw new IllegalArgumentException(file + " is not a safetensors file or is truncated: header length "
                    + headerLen + " in a file of " + size + " bytes.");
        }
        ByteBuffer header = ByteBuffer.allocate((int) headerLen);
        readFully(ch, header, 8);
        JsonNode root;
        try {
            root = Json.mapper().readTree(new String(header.array(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " has an unreadable safetensors header: " + e.getMessage(), e);
        }
        long dataStart = 8 + headerLen;
        long dataSize = size - dataStart;
        List<Entry> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode t = f.getValue();
            String dtype = t.path("dtype").asText("");
            JsonNode shapeNode = t.path("shape");
            JsonNode offsets = t.path("data_offsets");
            if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
                throw new IllegalArgumentException(file + ": tensor '" + f.getKey() + "' has a malformed entry "
                        + t + ".");
            }
            long[] shape = new long[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeNode.get(i).asLong();
            }
            long begin = offsets.get(0).asLong();
            long end = offsets.get(1).asLong();
            Entry e = new Entry(f.getKey(), dtype, shape, dataStart + begin, dataStart + end, file);
            int width = bytesPer(dtype);
            if (width > 0 && end - begin != e.elements() * width) {
                throw new IllegalArgumentException(file + ": tensor '" + f.getKey() + "' (" + dtype + " "
                        + e.shapeText() + ") spans " + (end - begin) + " bytes, expected " + e.elements() * width + ".");
            }
            if (begin < 0 || end < begin || end > dataSize) {
                throw new IllegalArgumentException(file + " is truncated: tensor '" + f.getKey() + "' ends at byte "
                        + (dataStart + end) + " but the file has " + size + " bytes.");
            }
            out.add(e);
        }
        return out;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + pos);
            }
            pos += n;
        }
    }

    private static int bytesPer(String dtype) {
        return switch (dtype) {
            case "F64" -> 8;
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            default -> -1;
        };
    }

    /** The tensor names, in file order. */
    public List<String> names() {
        return new ArrayList<>(entries.keySet());
    }

    /** The entry of {@code name}, or {@code null} when absent. */
    public Entry entry(String name) {
        return entries.get(name);
    }

    /** Whether a tensor named {@code name} exists. */
    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /**
     * The values of {@code name} as float32, row-major.
     *
     * @throws IllegalArgumentException when absent or of an unsupported dtype
     */
    public float[] floats(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException("Tensor '" + name + "' is missing from " + channels.keySet() + ".");
        }
        int width = bytesPer(e.dtype());
        if (width < 0) {
            throw new IllegalArgumentException("Tensor '" + name + "' in " + e.file() + " has dtype " + e.dtype()
                    + "; supported: F32, BF16, F16, F64.");
        }
        long n = e.elements();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("Tensor '" + name + "' has " + n + " elements, more than a Java "
                    + "array holds.");
        }
        float[] out = new float[(int) n];
        FileChannel ch = channels.get(e.file());
        int chunkElements = 1 << 20;
        try {
            ByteBuffer buf = ByteBuffer.allocate(chunkElements * width).order(ByteOrder.LITTLE_ENDIAN);
            int done = 0;
            while (done < out.length) {
                int count = Math.min(chunkElements, out.length - done);
                buf.clear();
                buf.limit(count * width);
                readFully(ch, buf, e.begin() + (long) done * width);
                buf.flip();
                decode(e.dtype(), buf, out, done, count);
                done += count;
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot read tensor '" + name + "' from " + e.file() + ": "
                    + ex.getMessage(), ex);
        }
        return out;
    }

    private static void decode(String dtype, ByteBuffer buf, float[] out, int offset, int count) {
        switch (dtype) {
            case "F32" -> buf.asFloatBuffer().get(out, offset, count);
            case "F64" -> {
                for (int i = 0; i < count; i++) {
                    out[offset + i] = (float) buf.getDouble();
                }
            }
            case "BF16" -> {
                for (int i = 0; i < count; i++) {
                    out[offset + i] = Float.intBitsToFloat((buf.getShort() & 0xffff) << 16);
                }
            }
            case "F16" -> {
                for (int i = 0; i < count; i++) {
                    out[offset + i] = halfToFloat(buf.getShort());
                }
            }
            default -> throw new IllegalArgumentException("Unsupported dtype " + dtype + ".");
        }
    }

    /** An IEEE 754 half-precision value as float (exact: every half is a float). */
    static float halfToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            // Subnormal half: mant * 2^-24.
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** The float's nearest half-precision value (round to nearest even), for tests and writers. */
    static short floatToHalf(float f) {
        int bits = Float.floatToIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = ((bits >>> 23) & 0xff) - 127 + 15;
        int mant = bits & 0x7fffff;
        if (((bits >>> 23) & 0xff) == 0xff) {
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 : 0));
        }
        if (exp >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (exp <= 0) {
            if (exp < -10) {
                return (short) sign;
            }
            mant |= 0x800000;
            int shift = 14 - exp;
            int half = mant >>> shift;
            int rem = mant & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rem > mid || (rem == mid && (half & 1) == 1)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (exp << 10) | (mant >>> 13);
        int rem = mant & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (half & 1) == 1)) {
            half++;
        }
        return (short) (sign | half);
    }

    /** One tensor to write: float values stored as {@code dtype} ({@code F32}, {@code BF16} or {@code F16}). */
    public record Tensor(String dtype, long[] shape, float[] values) {
    }

    /**
     * Writes {@code tensors} (in map order) as one safetensors file, atomically. BF16 rounds to nearest even.
     *
     * @param metadata string metadata for the {@code __metadata__} entry (may be empty)
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        AtomicFiles.write(file, encode(tensors, metadata));
    }

    /** The bytes of a safetensors file holding {@code tensors}. */
    public static byte[] encode(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            header.put("__metadata__", new TreeMap<>(metadata));
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            int width = bytesPer(t.dtype());
            if (width < 0 || t.dtype().equals("F64")) {
                throw new IllegalArgumentException("Cannot write dtype " + t.dtype() + " (tensor '" + e.getKey()
                        + "').");
            }
            long n = 1;
            for (long d : t.shape()) {
                n *= d;
            }
            if (n != t.values().length) {
                throw new IllegalArgumentException("Tensor '" + e.getKey() + "' has " + t.values().length
                        + " values for shape " + Arrays.toString(t.shape()) + ".");
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", t.dtype());
            entry.put("shape", t.shape());
            entry.put("data_offsets", new long[] {offset, offset + n * width});
            header.put(e.getKey(), entry);
            offset += n * width;
        }
        byte[] json;
        try {
            json = Json.mapper().copy().disable(com.fasterxml.jackson.databind.SerializationFeature
                    .ORDER_MAP_ENTRIES_BY_KEYS).writeValueAsBytes(header);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int pad = (8 - json.length % 8) % 8; // the data starts 8-aligned, as the reference writer does
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length + pad);
        out.writeBytes(len.array());
        out.writeBytes(json);
        for (int i = 0; i < pad; i++) {
            out.write(' ');
        }
        for (Tensor t : tensors.values()) {
            int width = bytesPer(t.dtype());
            ByteBuffer buf = ByteBuffer.allocate(t.values().length * width).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : t.values()) {
                switch (t.dtype()) {
                    case "F32" -> buf.putFloat(v);
                    case "BF16" -> buf.putShort(floatToBf16(v));
                    default -> buf.putShort(floatToHalf(v));
                }
            }
            out.writeBytes(buf.array());
        }
        return out.toByteArray();
    }

    /** The float's nearest bfloat16 (round to nearest even; NaN stays NaN). */
    static short floatToBf16(float f) {
        int bits = Float.floatToIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    private static JsonNode readJson(Path file) {
        try {
            return Json.mapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void closeAll(Map<Path, FileChannel> channels) {
        for (FileChannel ch : channels.values()) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing a read-only channel: nothing to recover
            }
        }
    }

    @Override
    public void close() {
        closeAll(channels);
    }
}
