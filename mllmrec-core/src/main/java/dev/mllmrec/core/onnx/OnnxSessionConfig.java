package dev.mllmrec.core.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.Locale;

/**
 * How {@link OnnxRecommender} runs its ONNX Runtime session: threads, memory arena, graph optimisation and the
 * number of requests per run. Immutable once built.
 *
 * @param intraOpThreads threads one operator may use (default 1: the built-in models are small, and a server
 *                       usually parallelises over requests; 0 lets ONNX Runtime use every core)
 * @param interOpThreads threads running independent operators in parallel (default 1, sequential execution)
 * @param memoryArena    whether the CPU memory arena is on (default true: buffers are reused across runs; off
 *                       returns memory to the system after every run, at some speed)
 * @param memoryPattern  whether ONNX Runtime pre-plans buffers from the first run's shapes (default true)
 * @param optimization   the graph optimisation level (default {@link Optimization#ALL})
 * @param batchSize      the most requests ranked per run (default 64)
 */
public record OnnxSessionConfig(int intraOpThreads, int interOpThreads, boolean memoryArena, boolean memoryPattern,
                                Optimization optimization, int batchSize) {

    /** Graph optimisation levels, as ONNX Runtime names them. */
    public enum Optimization {
        /** No graph rewriting. */
        NONE(OrtSession.SessionOptions.OptLevel.NO_OPT),
        /** Constant folding and redundant-node elimination. */
        BASIC(OrtSession.SessionOptions.OptLevel.BASIC_OPT),
        /** Basic plus operator fusions (LayerNorm, GELU, attention, MatMul + Add). */
        EXTENDED(OrtSession.SessionOptions.OptLevel.EXTENDED_OPT),
        /** Everything, layout transformations included. */
        ALL(OrtSession.SessionOptions.OptLevel.ALL_OPT);

        final OrtSession.SessionOptions.OptLevel level;

        Optimization(OrtSession.SessionOptions.OptLevel level) {
            this.level = level;
        }

        /** Parses {@code none}, {@code basic}, {@code extended} or {@code all}. */
        public static Optimization of(String name) {
            try {
                return valueOf(name.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Unknown ONNX Runtime optimisation level '" + name
                        + "'; use none, basic, extended or all.", e);
            }
        }
    }

    /** Validates. */
    public OnnxSessionConfig {
        if (intraOpThreads < 0 || interOpThreads < 0) {
            throw new IllegalArgumentException("ONNX Runtime thread counts must be >= 0, got intra-op "
                    + intraOpThreads + " and inter-op " + interOpThreads + ".");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("The ONNX batch size must be positive, got " + batchSize + ".");
        }
        if (optimization == null) {
            throw new IllegalArgumentException("The ONNX optimisation level must be given.");
        }
    }

    /** The defaults. */
    public static OnnxSessionConfig defaults() {
        return builder().build();
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** ONNX Runtime session options with these settings (the caller closes them). */
    OrtSession.SessionOptions toSessionOptions() throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        try {
            so.setIntraOpNumThreads(intraOpThreads);
            so.setInterOpNumThreads(interOpThreads);
            so.setExecutionMode(interOpThreads > 1 ? OrtSession.SessionOptions.ExecutionMode.PARALLEL
                    : OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            so.setCPUArenaAllocator(memoryArena);
            so.setMemoryPatternOptimization(memoryPattern);
            so.setOptimizationLevel(optimization.level);
            return so;
        } catch (OrtException | RuntimeException e) {
            so.close();
            throw e;
        }
    }

    /** Builds an {@link OnnxSessionConfig}; every setting is optional. */
    public static final class Builder {
        private int intraOpThreads = 1;
        private int interOpThreads = 1;
        private boolean memoryArena = true;
        private boolean memoryPattern = true;
        private Optimization optimization = Optimization.ALL;
        private int batchSize = 64;

        private Builder() {
        }

        /** Threads per operator (0: all cores). */
        public Builder optIntraOpThreads(int threads) {
            this.intraOpThreads = threads;
            return this;
        }

        /** Threads across independent operators. */
        public Builder optInterOpThreads(int threads) {
            this.interOpThreads = threads;
            return this;
        }

        /** Whether the CPU memory arena is on. */
        public Builder optMemoryArena(boolean on) {
            this.memoryArena = on;
            return this;
        }

        /** Whether buffers are pre-planned from the first run's shapes. */
        public Builder optMemoryPattern(boolean on) {
            this.memoryPattern = on;
            return this;
        }

        /** The graph optimisation level. */
        public Builder optOptimization(Optimization level) {
            this.optimization = level;
            return this;
        }

        /** The most requests per run. */
        public Builder optBatchSize(int size) {
            this.batchSize = size;
            return this;
        }

        /** The config; validates every value. */
        public OnnxSessionConfig build() {
            return new OnnxSessionConfig(intraOpThreads, interOpThreads, memoryArena, memoryPattern, optimization,
                    batchSize);
        }
    }
}
