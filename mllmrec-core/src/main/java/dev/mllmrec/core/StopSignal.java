package dev.mllmrec.core;

import java.util.concurrent.atomic.AtomicReference;

/**
 * A process-wide request to stop cleanly (SIGTERM, SIGINT, or the launching process gone). Long-running stages
 * check it between units of work ({@link #throwIfRequested()}), so that a stop unwinds through their
 * try-with-resources blocks: native sessions (ONNX Runtime, libtorch) are closed in order before the JVM exits,
 * and the stage resumes from what it wrote when it is run again.
 *
 * <p>Thread-safe.
 */
public final class StopSignal {

    private static final AtomicReference<String> REASON = new AtomicReference<>();

    private StopSignal() {
    }

    /** Thrown at a check point once a stop has been requested. */
    public static final class StopRequestedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StopRequestedException(String reason) {
            super("Stopped (" + reason + ") before finishing; run the command again to resume.");
        }
    }

    /**
     * Requests a stop.
     *
     * @return whether this was the first request
     */
    public static boolean request(String reason) {
        return REASON.compareAndSet(null, reason == null ? "stop requested" : reason);
    }

    /** Whether a stop has been requested. */
    public static boolean requested() {
        return REASON.get() != null;
    }

    /** Why the stop was requested, or {@code null}. */
    public static String reason() {
        return REASON.get();
    }

    /**
     * A check point.
     *
     * @throws StopRequestedException once a stop has been requested
     */
    public static void throwIfRequested() {
        String reason = REASON.get();
        if (reason != null) {
            throw new StopRequestedException(reason);
        }
    }

    /** Forgets a request (for tests and for embedding applications that run again in the same JVM). */
    public static void reset() {
        REASON.set(null);
    }
}
