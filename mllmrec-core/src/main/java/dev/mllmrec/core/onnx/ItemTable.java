package dev.mllmrec.core.onnx;

import java.util.Objects;

/**
 * A model part: the table of item (or token) representations that both embeds inputs and scores outputs. A plain
 * table is one learnt row per id; a content-aware table adds, for the ids that carry content, a learnt projection of
 * frozen content vectors ({@code CausalLm.CONTENT_VECTORS} times {@code CausalLm.CONTENT_PROJECTION}). Exporters
 * ask it for the rows of some ids or for the whole table, so a new item representation exports by adding a table
 * kind here, not by changing every graph.
 *
 * <p>Immutable; thread-safe.
 */
public final class ItemTable {

    private final String name;
    private final float[] table;
    private final int rows;
    private final int width;
    private final Content content;

    /**
     * The content term.
     *
     * @param vectors    frozen vectors, {@code tokens x dimension} row-major, for ids {@code firstId ..
     *                   firstId + tokens - 1}
     * @param firstId    the first id that carries content
     * @param tokens     how many consecutive ids carry content
     * @param dimension  the vectors' width
     * @param projection {@code dimension x width} row-major (already in {@code x @ P} layout)
     */
    public record Content(float[] vectors, int firstId, int tokens, int dimension, float[] projection) {
        /** Validates sizes. */
        public Content {
            if ((long) tokens * dimension != vectors.length) {
                throw new IllegalArgumentException("Content vectors hold " + vectors.length + " values, expected "
                        + tokens + " x " + dimension + ".");
            }
        }
    }

    private ItemTable(String name, float[] table, int rows, int width, Content content) {
        Objects.requireNonNull(name, "name");
        if ((long) rows * width != table.length) {
            throw new IllegalArgumentException("Table '" + name + "' holds " + table.length + " values, expected "
                    + rows + " x " + width + ".");
        }
        if (content != null) {
            if (content.projection().length != (long) content.dimension() * width) {
                throw new IllegalArgumentException("The content projection holds " + content.projection().length
                        + " values, expected " + content.dimension() + " x " + width + ".");
            }
            if (content.firstId() < 0 || content.firstId() + content.tokens() > rows) {
                throw new IllegalArgumentException("Content ids " + content.firstId() + " .. "
                        + (content.firstId() + content.tokens() - 1) + " fall outside the table of " + rows
                        + " rows.");
            }
        }
        this.name = name;
        this.table = table;
        this.rows = rows;
        this.width = width;
        this.content = content;
    }

    /** A plain table of {@code rows x width} learnt rows. */
    public static ItemTable plain(String name, float[] table, int rows, int width) {
        return new ItemTable(name, table, rows, width, null);
    }

    /** A table whose content-carrying rows add a projection of frozen content vectors. */
    public static ItemTable withContent(String name, float[] table, int rows, int width, Content content) {
        return new ItemTable(name, table, rows, width, Objects.requireNonNull(content, "content"));
    }

    /** The number of rows (ids). */
    public int rows() {
        return rows;
    }

    /** The width of a row. */
    public int width() {
        return width;
    }

    /** Adds this part's initializers to {@code g} (once) and returns an emitter bound to them. */
    Bound bind(OnnxGraph g) {
        String t = g.initializer(name, table, rows, width);
        if (content == null) {
            return new Bound(g, t, null, null, null);
        }
        // Row 0 of the padded vectors is zero: ids without content gather it and add nothing.
        float[] padded = new float[content.vectors().length + content.dimension()];
        System.arraycopy(content.vectors(), 0, padded, content.dimension(), content.vectors().length);
        long[] index = new long[rows];
        for (int i = 0; i < content.tokens(); i++) {
            index[content.firstId() + i] = i + 1;
        }
        String vectors = g.initializer(name + "/content_vectors", padded, content.tokens() + 1L,
                content.dimension());
        String slots = g.initializer(name + "/content_index", index, rows);
        String proj = g.initializer(name + "/content_projection", content.projection(), content.dimension(), width);
        return new Bound(g, t, vectors, slots, proj);
    }

    /** The table's initializers in one graph. */
    static final class Bound {
        private final OnnxGraph g;
        private final String table;
        private final String vectors;
        private final String slots;
        private final String projection;

        private Bound(OnnxGraph g, String table, String vectors, String slots, String projection) {
            this.g = g;
            this.table = table;
            this.vectors = vectors;
            this.slots = slots;
            this.projection = projection;
        }

        /** The rows of int64 {@code ids} (any shape): shape {@code ids.shape + (width)}. */
        String rows(String ids) {
            String r = g.gather(table, ids, 0);
            if (vectors == null) {
                return r;
            }
            String v = g.gather(vectors, g.gather(slots, ids, 0), 0);
            return g.add(r, g.matMul(v, projection));
        }

        /** The whole table {@code (rows, width)}, content included (constant: runtimes fold it once). */
        String full() {
            if (vectors == null) {
                return table;
            }
            return g.add(table, g.matMul(g.gather(vectors, slots, 0), projection));
        }
    }
}
