package dev.mllmrec.examples.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A command run in a child JVM beside the current one, its standard output and error written to a log file: how
 * {@code pipeline} trains SASRec on the second core while the policy's stages run on the first (both use one
 * libtorch thread). The child gets this JVM's options and class path, runs without progress bars and without
 * re-launching itself, shares this process's lock on the work directory ({@link Main#PARENT_LOCK_PROPERTY}), and
 * stops on its own if this process dies, even by {@code kill -9} ({@link NativeHeap#exitWithParent}).
 *
 * <p>Not thread-safe: one caller starts, waits for and stops it.
 */
final class BackgroundStage implements AutoCloseable {

    private final String[] args;
    private final Path log;
    private final Process process;
    private final long startNanos;
    /** When the child ended (0 while it runs), set as it exits, not when someone waits for it. */
    private volatile long endNanos;
    /** Completes once {@link #endNanos} is set. */
    private final java.util.concurrent.CompletableFuture<Void> ended;

    private BackgroundStage(String[] args, Path log, Process process) {
        this.args = args.clone();
        this.log = log;
        this.process = process;
        this.startNanos = System.nanoTime();
        this.ended = process.onExit().thenRun(() -> endNanos = System.nanoTime());
    }

    /**
     * Starts {@code args} (a command line of this program) in a child JVM.
     *
     * @return empty when no child JVM can be started here (the caller then runs the command in this process)
     * @throws UncheckedIOException if the log file cannot be created
     */
    static Optional<BackgroundStage> start(String[] args, Path log) {
        Optional<String> java = ProcessHandle.current().info().command();
        if (java.isEmpty()) {
            return Optional.empty();
        }
        List<String> cmd = command(java.get(), ManagementFactory.getRuntimeMXBean().getInputArguments(),
                System.getProperty("java.class.path"), ProcessHandle.current().pid(), args);
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the folder of " + log + ": " + e.getMessage(), e);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        try {
            return Optional.of(new BackgroundStage(args, log, pb.start()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The child's command line: this JVM's options (less any parent pid, progress or re-launch setting of its own),
     * then the child's settings, the class path, {@link Main} and {@code args}.
     */
    static List<String> command(String java, List<String> jvmOptions, String classPath, long parentPid,
                                String[] args) {
        List<String> options = new ArrayList<>();
        for (String o : jvmOptions) {
            if (!o.startsWith("-D" + NativeHeap.PARENT_PID_PROPERTY + "=") && !o.startsWith("-Dmllmrec.progress.off=")
                    && !o.startsWith("-Dmllmrec.relaunch=") && !o.startsWith("-D" + Main.PARENT_LOCK_PROPERTY + "=")) {
                options.add(o);
            }
        }
        options.add("-D" + NativeHeap.PARENT_PID_PROPERTY + "=" + parentPid);
        options.add("-D" + Main.PARENT_LOCK_PROPERTY + "=" + parentPid);
        options.add("-Dmllmrec.progress.off=true");
        options.add("-Dmllmrec.relaunch=false");
        return NativeHeap.childCommand(java, options, classPath, Main.class.getName(), args);
    }

    /** The command line this stage runs. */
    String[] args() {
        return args.clone();
    }

    /** Where its output goes. */
    Path log() {
        return log;
    }

    /**
     * Waits for the child to end.
     *
     * @return its exit status
     * @throws InterruptedException if this thread is interrupted while waiting (the child keeps running)
     */
    int waitFor() throws InterruptedException {
        int rc = process.waitFor();
        ended.join(); // the end time is set
        return rc;
    }

    /** Seconds from the start to the child's exit (or to now while it runs). */
    double seconds() {
        long end = endNanos;
        return ((end == 0 ? System.nanoTime() : end) - startNanos) / 1e9;
    }

    /** The last {@code lines} lines of {@code log} (empty if it cannot be read). */
    static List<String> tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return all.subList(Math.max(0, all.size() - lines), all.size());
        } catch (IOException | UncheckedIOException e) {
            return List.of();
        }
    }

    /**
     * Stops a child that is still running: a SIGTERM (it finishes its step, closes its native sessions and saves
     * what it has, as on a user's SIGTERM), then after the grace period a SIGKILL.
     */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(Long.getLong(CleanStop.GRACE_PROPERTY, CleanStop.DEFAULT_GRACE_SECONDS) + 10,
                    TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
