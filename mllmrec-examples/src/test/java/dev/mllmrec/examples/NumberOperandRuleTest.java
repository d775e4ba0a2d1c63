package dev.mllmrec.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import dev.mllmrec.core.lm.Scalars;
import dev.mllmrec.examples.cli.Main;
import dev.mllmrec.grpo.train.GrpoConfig;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The guard against the DJL trap {@code Scalars} exists for ({@code docs/reproducibility.md}): {@code
 * NDArray.mul(Number)}, {@code div}, {@code pow}, {@code maximum}, {@code minimum}, {@code rdiv} and {@code rpow}
 * with a {@code Number} (and {@code NDArrays}' static forms) wrap the number in a temporary array that DJL frees as
 * soon as the forward op returns, while PyTorch keeps it for the backward pass, which then reads freed memory. It was
 * met in the pre-training loss (the pool softmax's weight): runs on a busy machine parted from quiet ones at a random
 * step, and a run with a 6 MB young generation logged a gradient norm of 2.9e13 after 250 steps.
 *
 * <p>The rule reads compiled classes, so a literal ({@code x.mul(0.5f)}), a cast and a {@code float} variable are
 * all caught: each compiles to a call of the {@code Number} overload, and a class's constant pool lists every method
 * it calls. It reads core, grpo and this module from the test's classpath (it lives here, in the last library module
 * of the build, because only here are those compiled) and every other library module's {@code target/classes} that
 * the reactor has built ({@code mllmrec-onnx}, {@code mllmrec-spark}, ...). It replaces a source scan for literals
 * and casts, which saw a subset of the same calls.
 */
class NumberOperandRuleTest {

    /** The overloads whose temporary operand backward reads. */
    static final Set<String> TRAPPED = Set.of("mul", "div", "pow", "maximum", "minimum", "rdiv", "rpow");
    static final Set<String> OWNERS = Set.of("ai/djl/ndarray/NDArray", "ai/djl/ndarray/NDArrays",
            "ai/djl/pytorch/engine/PtNDArray", "ai/djl/ndarray/NDArrayAdapter");

    @Test
    void theScannerFindsACallWithANumberOperand() throws IOException {
        // This test class's own fixture below calls the overloads, so the scanner must report it (the rule can fail).
        List<String> found = calls(classBytes(Fixture.class));
        assertEquals(List.of("ai/djl/ndarray/NDArray.mul(Ljava/lang/Number;)", "ai/djl/ndarray/NDArrays.maximum"
                + "(Lai/djl/ndarray/NDArray;Ljava/lang/Number;)"), found);
        assertEquals(List.of(), calls(classBytes(SafeFixture.class)));
    }

    @Test
    void noLibraryClassPassesANumberToDjlArithmetic() throws Exception {
        List<String> offending = new ArrayList<>();
        int scanned = 0;
        for (Class<?> anchor : List.of(Scalars.class, GrpoConfig.class, Main.class)) {
            Path location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            int n = scan(location, offending);
            assertTrue(n > 10, "expected the compiled classes of " + anchor.getName() + " at " + location + ", found "
                    + n);
            scanned += n;
        }
        // The library modules this one does not depend on, where the reactor has compiled them.
        Path root = Path.of("").toAbsolutePath().getParent();
        Set<String> required = Set.of("mllmrec-core", "mllmrec-grpo", "mllmrec-examples");
        try (Stream<Path> modules = Files.list(root)) {
            for (Path module : modules.filter(p -> p.getFileName().toString().startsWith("mllmrec-")
                    && !required.contains(p.getFileName().toString())).sorted().toList()) {
                Path classes = module.resolve("target/classes");
                if (Files.isDirectory(classes.resolve("dev/mllmrec"))) {
                    scanned += scan(classes, offending);
                }
            }
        }
        assertTrue(scanned > 300, "scanned only " + scanned + " classes");
        assertEquals(List.of(), offending, "DJL arithmetic with a Number operand frees the number before backward "
                + "(docs/reproducibility.md): use dev.mllmrec.core.lm.Scalars (or an array in the step's manager)");
    }

    /** Scans a classes directory or a jar; adds "class: call" for every trapped call; returns the classes read. */
    private static int scan(Path location, List<String> offending) throws IOException {
        int n = 0;
        if (Files.isDirectory(location)) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(location)) {
                files = walk.filter(p -> p.toString().endsWith(".class")).sorted().toList();
            }
            for (Path file : files) {
                // Named with its module: .../mllmrec-onnx/target/classes -> mllmrec-onnx: dev/mllmrec/...
                String module = location.getNameCount() > 2 ? location.getParent().getParent().getFileName() + ": "
                        : "";
                report(module + location.relativize(file), Files.readAllBytes(file), offending);
                n++;
            }
        } else {
            try (JarFile jar = new JarFile(location.toFile())) {
                Enumeration<JarEntry> entries = jar.entries();
                while (entries.hasMoreElements()) {
                    JarEntry e = entries.nextElement();
                    if (e.getName().startsWith("dev/mllmrec/") && e.getName().endsWith(".class")) {
                        try (InputStream in = jar.getInputStream(e)) {
                            report(e.getName(), in.readAllBytes(), offending);
                        }
                        n++;
                    }
                }
            }
        }
        return n;
    }

    private static void report(String name, byte[] bytes, List<String> offending) throws IOException {
        for (String call : calls(bytes)) {
            offending.add(name + ": " + call);
        }
    }

    /**
     * The trapped methods a class file refers to, as {@code owner.name(parameters)}, from its constant pool (JVMS
     * 4.4): every method a class calls, directly or through a method reference, has a Methodref or
     * InterfaceMethodref entry there.
     */
    static List<String> calls(byte[] classFile) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classNames = new int[count];
        int[][] refs = new int[count][];
        int[][] nameAndTypes = new int[count][];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7 -> classNames[i] = in.readUnsignedShort();
                case 10, 11 -> refs[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
                case 12 -> nameAndTypes[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
                case 3, 4, 9, 17, 18 -> in.readInt();
                case 5, 6 -> {
                    in.readLong();
                    i++; // eight-byte constants take two entries
                }
                case 8, 16, 19, 20 -> in.readUnsignedShort();
                case 15 -> {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                default -> throw new IOException("unknown constant pool tag " + tag + " at entry " + i);
            }
        }
        Set<String> out = new TreeSet<>();
        for (int[] ref : refs) {
            if (ref == null) {
                continue;
            }
            String owner = utf8[classNames[ref[0]]];
            int[] nat = nameAndTypes[ref[1]];
            String method = utf8[nat[0]];
            String descriptor = utf8[nat[1]];
            String parameters = descriptor.substring(0, descriptor.indexOf(')') + 1);
            if (OWNERS.contains(owner) && TRAPPED.contains(method) && parameters.contains("Ljava/lang/Number;")) {
                out.add(owner + "." + method + parameters);
            }
        }
        return new ArrayList<>(out);
    }

    private static byte[] classBytes(Class<?> type) {
        String resource = type.getName().substring(type.getPackageName().length() + 1) + ".class";
        try (InputStream in = type.getResourceAsStream(resource)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Calls the trapped overloads (never run: only compiled, so that the scanner has something to find). */
    static final class Fixture {
        static NDArray scaled(NDArray x, float weight) {
            return NDArrays.maximum(x.mul(weight), 1f);
        }
    }

    /** The safe forms (never run). */
    static final class SafeFixture {
        static NDArray scaled(NDArray x, float weight) {
            return Scalars.maximum(Scalars.mul(x, weight), 1f).add(1f);
        }
    }

}
