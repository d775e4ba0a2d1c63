package dev.mllmrec.core.lm;

import dev.mllmrec.core.AtomicFiles;
import dev.mllmrec.core.CorruptCheckpointException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The binary format of named float arrays (model weights, optimizer moments): a magic number, the array count,
 * then per array its UTF name, its length and its little-endian floats. Exact: values round-trip bit for bit.
 */
public final class ParameterFiles {

    private static final int MAGIC = 0x4d4c4d31; // "MLM1"

    private ParameterFiles() {
    }

    /** Writes {@code values} to {@code file} atomically. */
    public static void write(Path file, Map<String, float[]> values) {
        AtomicFiles.write(file, encode(values));
    }

    /** The bytes of {@code values}. */
    public static byte[] encode(Map<String, float[]> values) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeInt(values.size());
            for (Map.Entry<String, float[]> e : values.entrySet()) {
                out.writeUTF(e.getKey());
                float[] v = e.getValue();
                out.writeInt(v.length);
                ByteBuffer buf = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                buf.asFloatBuffer().put(v);
                out.write(buf.array());
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads a file written by {@link #write}, in its order.
     *
     * @throws CorruptCheckpointException with a one-line message when the file is truncated or malformed
     */
    public static Map<String, float[]> read(Path file) {
        String where = "its header";
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC) {
                throw new IllegalArgumentException(file + " is not an mllmrec parameter file (bad magic number).");
            }
            int count = in.readInt();
            long remaining = Files.size(file) - 8;
            if (count < 0) {
                throw damaged(file, "claims " + count + " arrays");
            }
            Map<String, float[]> values = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                where = "array " + (i + 1) + " of " + count;
                String name = in.readUTF();
                where = "array '" + name + "' (" + (i + 1) + " of " + count + ")";
                int n = in.readInt();
                if (n < 0 || 4L * n > remaining) {
                    throw truncated(file, where);
                }
                byte[] raw = new byte[n * 4];
                in.readFully(raw);
                float[] v = new float[n];
                ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                values.put(name, v);
            }
            if (in.read() >= 0) {
                throw damaged(file, "has bytes after its last array");
            }
            return values;
        } catch (EOFException e) {
            throw truncated(file, where);
        } catch (IOException e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new UncheckedIOException("Cannot read parameters " + file + ": " + m, e);
        }
    }

    private static CorruptCheckpointException truncated(Path file, String where) {
        return damaged(file, "is truncated (it ends inside " + where + ")");
    }

    private static CorruptCheckpointException damaged(Path file, String what) {
        return new CorruptCheckpointException(file, "Parameter file " + file + " " + what
                + "; delete its checkpoint and train again, or restore the file from a copy.");
    }
}
