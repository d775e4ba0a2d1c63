package dev.mllmrec.core.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A small builder of ONNX graphs: inputs with symbolic or fixed dimensions, float and int64 initializers, nodes of
 * the default operator set, outputs, serialised as a standard {@code ModelProto} (field numbers from
 * {@code onnx.proto}). The exporters compose the model's parts with it; the helpers cover the operators they use.
 *
 * <p>Value names are generated from the current {@link #scope} and the operator, so a graph reads like the model
 * ({@code block0/attn/MatMul_12}). Serialisation is deterministic: the same calls give the same bytes.
 *
 * <p>Not thread-safe: one graph is built by one thread.
 */
public final class OnnxGraph {

    /** The ONNX IR version written: 8 (ONNX 1.10 and later read it), which pairs with opset 17. */
    public static final int IR_VERSION = 8;
    /** The default operator set the exporters target. */
    public static final int OPSET = 17;

    /** Tensor element types by their {@code TensorProto.DataType} number. */
    public enum ElementType {
        /** 32-bit float. */
        FLOAT(1),
        /** 64-bit signed integer. */
        INT64(7),
        /** Boolean. */
        BOOL(9);

        final int code;

        ElementType(int code) {
            this.code = code;
        }
    }

    private record ValueInfo(String name, ElementType type, Object[] dims, String doc) {
    }

    private record Initializer(String name, ElementType type, long[] dims, byte[] raw) {
    }

    private record Attribute(String name, ProtoWriter encoded) {
    }

    private record Node(String name, String op, List<String> inputs, List<String> outputs, List<Attribute> attrs) {
    }

    private final String name;
    private final List<ValueInfo> inputs = new ArrayList<>();
    private final List<ValueInfo> outputs = new ArrayList<>();
    private final List<Initializer> initializers = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final Map<String, String> constants = new LinkedHashMap<>();
    private String scope = "";
    private int counter;

    /** An empty graph called {@code name}. */
    public OnnxGraph(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /** Sets the prefix of generated names (for example {@code block0/attn}); empty for none. */
    public OnnxGraph scope(String scope) {
        this.scope = scope.isEmpty() ? "" : scope + "/";
        return this;
    }

    private String fresh(String op) {
        String n;
        do {
            n = scope + op + "_" + counter++;
        } while (!names.add(n));
        return n;
    }

    private String claim(String n) {
        if (!names.add(n)) {
            throw new IllegalArgumentException("The ONNX graph already has a value named '" + n + "'.");
        }
        return n;
    }

    /**
     * Declares a graph input.
     *
     * @param dims each an {@link Integer} (a fixed size) or a {@link String} (a symbolic, dynamic axis)
     * @return its name
     */
    public String input(String inputName, ElementType type, String doc, Object... dims) {
        inputs.add(new ValueInfo(claim(inputName), type, dims.clone(), doc));
        return inputName;
    }

    /** Declares {@code value} a graph output called {@code outputName} (through an {@code Identity}). */
    public void output(String outputName, String value, ElementType type, String doc, Object... dims) {
        claim(outputName);
        nodes.add(new Node(fresh("Identity"), "Identity", List.of(value), List.of(outputName), List.of()));
        outputs.add(new ValueInfo(outputName, type, dims.clone(), doc));
    }

    /** A float initializer (a weight). */
    public String initializer(String initName, float[] values, long... dims) {
        checkSize(initName, values.length, dims);
        initializers.add(new Initializer(claim(initName), ElementType.FLOAT, dims.clone(),
                ProtoWriter.littleEndian(values)));
        return initName;
    }

    /** An int64 initializer. */
    public String initializer(String initName, long[] values, long... dims) {
        checkSize(initName, values.length, dims);
        initializers.add(new Initializer(claim(initName), ElementType.INT64, dims.clone(),
                ProtoWriter.littleEndian(values)));
        return initName;
    }

    private static void checkSize(String n, int length, long[] dims) {
        long size = 1;
        for (long d : dims) {
            size *= d;
        }
        if (size != length) {
            throw new IllegalArgumentException("Initializer '" + n + "' has " + length + " values but dims "
                    + Arrays.toString(dims) + ".");
        }
    }

    /** A shared int64 constant vector (one initializer per distinct value). */
    public String ints(long... values) {
        String key = "i" + Arrays.toString(values);
        String existing = constants.get(key);
        if (existing != null) {
            return existing;
        }
        String n = claim("const/ints_" + constants.size());
        initializers.add(new Initializer(n, ElementType.INT64, new long[] {values.length},
                ProtoWriter.littleEndian(values)));
        constants.put(key, n);
        return n;
    }

    /** A shared float scalar constant. */
    public String scalar(float value) {
        String key = "f" + Float.floatToRawIntBits(value);
        String existing = constants.get(key);
        if (existing != null) {
            return existing;
        }
        String n = claim("const/float_" + constants.size());
        initializers.add(new Initializer(n, ElementType.FLOAT, new long[0],
                ProtoWriter.littleEndian(new float[] {value})));
        constants.put(key, n);
        return n;
    }

    // ------------------------------------------------------------------ attributes

    /** An integer attribute. */
    public static Object attr(String attrName, long value) {
        return new Attribute(attrName, new ProtoWriter().string(1, attrName).varint(3, value).varint(20, 2));
    }

    /** A float attribute. */
    public static Object attr(String attrName, float value) {
        return new Attribute(attrName, new ProtoWriter().string(1, attrName).fixed32Float(2, value).varint(20, 1));
    }

    /** An integer-list attribute. */
    public static Object attr(String attrName, long[] values) {
        ProtoWriter w = new ProtoWriter().string(1, attrName);
        for (long v : values) {
            w.varint(8, v);
        }
        return new Attribute(attrName, w.varint(20, 7));
    }

    /** A tensor attribute holding one value of {@code type} (for {@code ConstantOfShape}). */
    public static Object scalarTensorAttr(String attrName, ElementType type, double value) {
        ProtoWriter t = new ProtoWriter().varint(1, 1).varint(2, type.code);
        t.bytes(9, type == ElementType.FLOAT ? ProtoWriter.littleEndian(new float[] {(float) value})
                : ProtoWriter.littleEndian(new long[] {(long) value}));
        return new Attribute(attrName, new ProtoWriter().string(1, attrName).message(5, t).varint(20, 4));
    }

    // ------------------------------------------------------------------ nodes

    /**
     * Adds a node with one output.
     *
     * @param attrs attributes made by the {@code attr} methods
     * @return the output's name
     */
    public String op(String opType, List<String> in, Object... attrs) {
        String out = fresh(opType);
        List<Attribute> a = new ArrayList<>(attrs.length);
        for (Object o : attrs) {
            a.add((Attribute) o);
        }
        nodes.add(new Node(out, opType, List.copyOf(in), List.of(out), a));
        return out;
    }

    /** {@code a @ b}. */
    public String matMul(String a, String b) {
        return op("MatMul", List.of(a, b));
    }

    /** {@code a + b}, broadcasting. */
    public String add(String a, String b) {
        return op("Add", List.of(a, b));
    }

    /** {@code a - b}, broadcasting. */
    public String sub(String a, String b) {
        return op("Sub", List.of(a, b));
    }

    /** {@code a * b}, broadcasting. */
    public String mul(String a, String b) {
        return op("Mul", List.of(a, b));
    }

    /** Rows of {@code data} along {@code axis} at {@code indices}. */
    public String gather(String data, String indices, long axis) {
        return op("Gather", List.of(data, indices), attr("axis", axis));
    }

    /** {@code x} with a new shape ({@code 0} copies a dimension, {@code -1} is inferred). */
    public String reshape(String x, long... shape) {
        return op("Reshape", List.of(x, ints(shape)));
    }

    /** {@code x} with its axes permuted. */
    public String transpose(String x, long... perm) {
        return op("Transpose", List.of(x), attr("perm", perm));
    }

    /** {@code x} with size-1 axes inserted. */
    public String unsqueeze(String x, long... axes) {
        return op("Unsqueeze", List.of(x, ints(axes)));
    }

    /** {@code x} without the given size-1 axes. */
    public String squeeze(String x, long... axes) {
        return op("Squeeze", List.of(x, ints(axes)));
    }

    /** {@code x} converted to {@code type}. */
    public String cast(String x, ElementType type) {
        return op("Cast", List.of(x), attr("to", type.code));
    }

    /** Layer normalisation over the last axis ({@code LayerNormalization}, opset 17). */
    public String layerNorm(String x, String gamma, String beta, float epsilon) {
        return op("LayerNormalization", List.of(x, gamma, beta), attr("axis", -1L), attr("epsilon", epsilon));
    }

    /**
     * A fully connected layer {@code x W^T + b} with {@code weight} given as {@code (out, in)} row-major (DJL's and
     * PyTorch's layout): stored transposed so the graph needs one {@code MatMul}.
     */
    public String linear(String x, String weightName, float[] weight, int out, int in, String biasName,
                         float[] bias) {
        float[] t = new float[weight.length];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                t[i * out + o] = weight[o * in + i];
            }
        }
        String w = initializer(weightName + "_t", t, in, out);
        String y = matMul(x, w);
        return bias == null ? y : add(y, initializer(biasName, bias, out));
    }

    /** Softmax along {@code axis}. */
    public String softmax(String x, long axis) {
        return op("Softmax", List.of(x), attr("axis", axis));
    }

    /** Elements of {@code a} where {@code condition} holds, of {@code b} elsewhere. */
    public String where(String condition, String a, String b) {
        return op("Where", List.of(condition, a, b));
    }

    /** Concatenation along {@code axis}. */
    public String concat(long axis, String... parts) {
        return op("Concat", List.of(parts), attr("axis", axis));
    }

    /** The size of {@code x}'s axis {@code axis} as an int64 vector of one element. */
    public String dim(String x, long axis) {
        String shape = op("Shape", List.of(x));
        return op("Slice", List.of(shape, ints(axis), ints(axis + 1), ints(0)));
    }

    // ------------------------------------------------------------------ serialisation

    /**
     * The graph as a serialised {@code ModelProto} at {@link #IR_VERSION} and {@link #OPSET}.
     *
     * @param metadata key-value pairs stored as the model's {@code metadata_props}
     */
    public byte[] toModel(String producer, String producerVersion, String doc, Map<String, String> metadata) {
        ProtoWriter g = new ProtoWriter();
        for (Node n : nodes) {
            ProtoWriter w = new ProtoWriter();
            n.inputs().forEach(i -> w.string(1, i));
            n.outputs().forEach(o -> w.string(2, o));
            w.string(3, n.name()).string(4, n.op());
            n.attrs().forEach(a -> w.message(5, a.encoded()));
            g.message(1, w);
        }
        g.string(2, name);
        for (Initializer init : initializers) {
            ProtoWriter t = new ProtoWriter();
            for (long d : init.dims()) {
                t.varint(1, d);
            }
            t.varint(2, init.type().code).string(8, init.name()).bytes(9, init.raw());
            g.message(5, t);
        }
        g.string(10, doc);
        inputs.forEach(v -> g.message(11, valueInfo(v)));
        outputs.forEach(v -> g.message(12, valueInfo(v)));

        ProtoWriter m = new ProtoWriter();
        m.varint(1, IR_VERSION).string(2, producer).string(3, producerVersion).string(6, doc);
        m.message(7, g);
        m.message(8, new ProtoWriter().string(1, "").varint(2, OPSET));
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            m.message(14, new ProtoWriter().string(1, e.getKey()).string(2, e.getValue()));
        }
        return m.toByteArray();
    }

    private static ProtoWriter valueInfo(ValueInfo v) {
        ProtoWriter shape = new ProtoWriter();
        for (Object d : v.dims()) {
            ProtoWriter dim = new ProtoWriter();
            if (d instanceof Integer i) {
                dim.varint(1, i);
            } else if (d instanceof Long l) {
                dim.varint(1, l);
            } else {
                dim.string(2, String.valueOf(d));
            }
            shape.message(1, dim);
        }
        ProtoWriter tensor = new ProtoWriter().varint(1, v.type().code).message(2, shape);
        ProtoWriter type = new ProtoWriter().message(1, tensor);
        ProtoWriter w = new ProtoWriter().string(1, v.name()).message(2, type);
        if (v.doc() != null && !v.doc().isEmpty()) {
            w.string(3, v.doc());
        }
        return w;
    }
}
