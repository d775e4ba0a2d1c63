package dev.mllmrec.examples.cli;

import dev.mllmrec.core.StopSignal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * How the command line stops and what it prints on start-up:
 *
 * <ul>
 *   <li>SIGTERM and SIGINT (and the launching process dying) request a clean stop ({@link StopSignal}) instead of
 *       exiting at once: the running stage ends at its next check point, its try-with-resources blocks close the
 *       native sessions (ONNX Runtime, libtorch) in order, and the command exits with status 143. Exiting the JVM
 *       while a thread is inside ONNX Runtime is what crashed with {@code SIGBUS} and an {@code hs_err} file. If
 *       the stage has not stopped after {@value #DEFAULT_GRACE_SECONDS} s ({@code -Dmllmrec.stop.grace.seconds})
 *       the JVM exits anyway.</li>
 *   <li>On a machine without an NVIDIA driver, DJL's GPU probe ({@code ai.djl.util.cuda.CudaUtils}) finds a CUDA
 *       runtime library but no driver and logs a warning on every start; there it is logged at {@code error} level
 *       only. A user's own {@code org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils} setting wins.</li>
 * </ul>
 */
final class CleanStop {

    /** The exit status of a command stopped by a signal: 128 + SIGTERM. */
    static final int STOPPED_STATUS = 143;
    /** Seconds a stopping command may take before the JVM exits anyway. */
    static final int DEFAULT_GRACE_SECONDS = 60;
    /** The property that changes the grace period. */
    static final String GRACE_PROPERTY = "mllmrec.stop.grace.seconds";
    /** The slf4j-simple level property of DJL's GPU probe. */
    static final String CUDA_LOG_PROPERTY = "org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils";

    private CleanStop() {
    }

    /** Whether this machine has an NVIDIA driver (Linux: {@code /proc/driver/nvidia/version}). */
    static boolean hasNvidiaDriver() {
        return Files.exists(Path.of("/proc/driver/nvidia/version"));
    }

    /** Quietens DJL's GPU probe in {@code props} when there is no driver and the user set no level. */
    static void quietGpuProbe(Properties props, boolean driver) {
        if (!driver && props.getProperty(CUDA_LOG_PROPERTY) == null) {
            props.setProperty(CUDA_LOG_PROPERTY, "error");
        }
    }

    /** Installs the SIGTERM and SIGINT handlers (where the JVM lets a program handle them). */
    static void installSignalHandlers() {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> request("SIG" + s.getName()));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // The JVM keeps this signal (for example -Xrs): its default handling stays.
            }
        }
    }

    /**
     * Requests a clean stop for {@code reason}; the first request prints one line and starts the grace timer
     * after which the JVM exits with {@link #STOPPED_STATUS} even if the stage has not stopped.
     */
    static synchronized void request(String reason) {
        // The line is printed before the flag is set: a stage that sees the flag and exits at once must not be
        // able to end the JVM before the user was told why it stopped.
        if (StopSignal.requested()) {
            return;
        }
        System.err.println("stopping (" + reason + "): finishing the current step and closing; run the command"
                + " again to resume.");
        if (!StopSignal.request(reason)) {
            return;
        }
        long grace = Long.getLong(GRACE_PROPERTY, DEFAULT_GRACE_SECONDS);
        Thread timer = new Thread(() -> {
            try {
                Thread.sleep(grace * 1000);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("error: the command did not stop within " + grace + " s; exiting.");
            System.exit(STOPPED_STATUS);
        }, "mllmrec-stop-timer");
        timer.setDaemon(true);
        timer.start();
    }
}
