package dev.mllmrec.core.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Guards the DJL trap {@link Scalars} exists for: {@code NDArray.mul(Number)}, {@code div(Number)},
 * {@code pow(Number)}, {@code maximum(Number)} and {@code minimum(Number)} wrap the number in a temporary array that
 * DJL frees as soon as the forward op returns, while PyTorch keeps that operand for the backward pass. The backward
 * then reads freed memory: right as long as nothing has reused it, garbage after a garbage collection freed it and
 * another allocation took it. It was met in the pre-training loss (the pool softmax's weight): runs on a busy machine
 * parted from quiet ones at a random step, and a run with a 6 MB young generation ({@code -Xmn6m
 * -XX:+UseSerialGC}, many collections) logged a gradient norm of 2.9e13 after 250 steps. No source of the library
 * may call those with a literal or a cast number.
 */
class ScalarsRuleTest {

    /** {@code .mul(0.5f)}, {@code .div((float) n)}, {@code .maximum(1f)}: a number where DJL's overload takes one. */
    static final Pattern NUMBER_ARITHMETIC = Pattern.compile(
            "(?<!Math)\\.(mul|div|pow|maximum|minimum)\\(\\s*(\\(\\s*(float|double|int|long)\\s*\\)|-?\\d)");

    @Test
    void thePatternFindsTheTrapAndNotTheSafeForms() {
        assertTrue(NUMBER_ARITHMETIC.matcher("nll.add(x.sum().mul((float) config.weight()))").find());
        assertTrue(NUMBER_ARITHMETIC.matcher("y = x.mul(0.5f);").find());
        assertTrue(NUMBER_ARITHMETIC.matcher("y = x.div( 2);").find());
        assertTrue(NUMBER_ARITHMETIC.matcher("y = x.pow(-1);").find());
        assertTrue(NUMBER_ARITHMETIC.matcher("n = count.maximum(1f);").find());
        assertFalse(NUMBER_ARITHMETIC.matcher("y = Scalars.mul(x, 0.5f);").find());
        assertFalse(NUMBER_ARITHMETIC.matcher("y = x.mul(mask);").find());
        assertFalse(NUMBER_ARITHMETIC.matcher("y = x.mul(x.getManager().create(c));").find());
        assertFalse(NUMBER_ARITHMETIC.matcher("double f = Math.pow(0.98, step);").find());
        assertFalse(NUMBER_ARITHMETIC.matcher("n = Scalars.maximum(count, 1f);").find());
    }

    @Test
    void noLibrarySourceDoesArithmeticWithANumberThroughDjl() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<Path> sources = new ArrayList<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path module : modules.filter(p -> p.getFileName().toString().startsWith("mllmrec-")).toList()) {
                Path main = module.resolve("src/main/java");
                if (Files.isDirectory(main)) {
                    try (Stream<Path> files = Files.walk(main)) {
                        files.filter(p -> p.toString().endsWith(".java")).forEach(sources::add);
                    }
                }
            }
        }
        assertTrue(sources.size() > 100, "expected the library's sources under " + root + ", found "
                + sources.size());
        List<String> offending = new ArrayList<>();
        for (Path file : sources) {
            List<String> lines = read(file);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (!line.startsWith("*") && !line.startsWith("//") && NUMBER_ARITHMETIC.matcher(line).find()) {
                    offending.add(root.relativize(file) + ":" + (i + 1) + ": " + line);
                }
            }
        }
        assertEquals(List.of(), offending, "DJL arithmetic with a number frees the number before backward: use "
                + "Scalars.mul / Scalars.div / Scalars.maximum");
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
