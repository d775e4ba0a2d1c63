package dev.mllmrec.onnx;

import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.data.PreparedData;
import dev.mllmrec.core.data.Split;
import dev.mllmrec.core.eval.Evaluation;
import dev.mllmrec.core.eval.Evaluator;
import dev.mllmrec.core.onnx.OnnxRecommender;
import dev.mllmrec.core.onnx.OnnxSessionConfig;
import java.nio.file.Path;
import java.util.Map;

/**
 * Ranks a prepared work directory's test samples with an ONNX export and prints the metrics, with no PyTorch engine
 * or libtorch on the class path (this module excludes them):
 * {@code java -cp <mllmrec-onnx class path> dev.mllmrec.onnx.OnnxServingExample W/onnx/grpo W [negatives]}.
 *
 * <p>Not thread-safe: a program.
 */
public final class OnnxServingExample {

    private OnnxServingExample() {
    }

    /**
     * Runs the example.
     *
     * @param args the export directory, the work directory, optionally the negatives per sample (default 9)
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: OnnxServingExample EXPORT_DIR WORK_DIR [NEGATIVES]");
            System.exit(2);
        }
        System.out.println("PyTorch engine on the class path: " + onClassPath("ai.djl.pytorch.engine.PtEngine"));
        PreparedData data = PreparedData.load(WorkDir.of(Path.of(args[1])));
        int negatives = args.length > 2 ? Integer.parseInt(args[2]) : 9;
        long start = System.nanoTime();
        try (OnnxRecommender rec = OnnxRecommender.load(Path.of(args[0]), data.catalog(),
                OnnxSessionConfig.defaults())) {
            Evaluation e = new Evaluator(64, false).evaluate(rec, data.samples(Split.TEST, negatives).samples());
            System.out.println(rec.name() + " on " + e.size() + " test users, " + negatives + " negatives, in "
                    + String.format("%.1f s", (System.nanoTime() - start) / 1e9));
            for (Map.Entry<String, Double> m : e.metrics().entrySet()) {
                System.out.printf("%-8s %.4f%n", m.getKey(), m.getValue());
            }
        }
    }

    /** Whether {@code className} can be loaded. */
    static boolean onClassPath(String className) {
        try {
            Class.forName(className, false, OnnxServingExample.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
