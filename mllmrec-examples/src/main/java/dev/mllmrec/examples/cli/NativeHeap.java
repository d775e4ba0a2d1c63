package dev.mllmrec.examples.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Keeps libtorch's freed memory inside the process. libtorch allocates and frees its tensors with the C library
 * every step; glibc hands large freed blocks straight back to the kernel and takes fresh pages for the next step, so
 * a training step pays one page fault per 4 KiB it touches. On virtual machines whose host reclaims idle guest
 * memory each of those faults is expensive: item-sequence pre-training ran 3x slower (54 s an epoch against 18 s,
 * most of it system time) until glibc was told to keep and reuse its memory.
 *
 * <p>glibc reads these settings only at start-up, from the environment, so the command line re-launches itself
 * once in a child JVM with them set (same JVM options, class path and arguments; standard streams inherited; the
 * child is stopped when the parent is, and exits by itself when the parent dies without stopping it). Set any of the variables yourself, or {@code -Dmllmrec.relaunch=false}, to
 * keep the process as it is.
 */
final class NativeHeap {

    /**
     * The glibc settings: no trimming of the heap top, no per-allocation mmap, a 256 MiB top pad, and one arena. The
     * last matters because libtorch runs on JVM threads, which glibc gives arenas of their own whose heaps are at
     * most 64 MiB: a larger tensor (a {@code 1,280 x 20,000} logit matrix is 102 MB) bypasses such an arena and is a
     * fresh {@code mmap} on every step whatever the other settings say. With one arena every thread allocates from
     * the main heap, which the settings above keep. Pre-training with 20,000 items: 1.85 s a step with the three
     * settings, 0.26 s with the fourth ({@code docs/performance.md}).
     */
    static final Map<String, String> MALLOC_ENV = Map.of(
            "MALLOC_TRIM_THRESHOLD_", "17179869184",
            "MALLOC_MMAP_THRESHOLD_", "1073741824",
            "MALLOC_TOP_PAD_", "268435456",
            "MALLOC_ARENA_MAX", "1");

    /**
     * The collector the child runs unless the JVM options choose one ({@link #withCollector}): the serial collector
     * with a small young generation. Every array DJL creates from Java data lives in a direct buffer that only a
     * garbage collection frees, so with the default collector's generous young generation (G1 grew the pipeline's
     * heap to about 4 GB) hundreds of megabytes of dead tensor memory waited for the next collection while libtorch
     * took fresh pages; collecting every few megabytes hands it back at once. Measured on the pipeline
     * ({@code docs/reproducibility.md}): peak resident memory 3.7 GB against 6.3 GB, in the same time.
     */
    static final List<String> COLLECTOR = List.of("-XX:+UseSerialGC", "-Xmn6m");

    /** The system property that turns the re-launch off ({@code false}). */
    static final String RELAUNCH_PROPERTY = "mllmrec.relaunch";

    /** The system property by which the child learns its parent's PID, to exit when the parent dies. */
    static final String PARENT_PID_PROPERTY = "mllmrec.parent.pid";

    /** The child's exit status when its parent died (as for SIGTERM: 128 + 15). */
    static final int ORPHANED_STATUS = CleanStop.STOPPED_STATUS;

    private NativeHeap() {
    }

    /** Whether this process should re-launch itself: Linux, not already tuned, not turned off. */
    static boolean shouldRelaunch(Map<String, String> env, String osName, String relaunchProperty) {
        if (!osName.toLowerCase(Locale.ROOT).contains("linux") || "false".equalsIgnoreCase(relaunchProperty)) {
            return false;
        }
        return MALLOC_ENV.keySet().stream().noneMatch(env::containsKey);
    }

    /** The child's command line: this JVM's executable and options, the class path, the main class, the args. */
    static List<String> childCommand(String javaExecutable, List<String> jvmOptions, String classPath,
                                     String mainClass, String[] args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaExecutable);
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * In the child: when {@code parentPid} names a process, requests a clean stop ({@link CleanStop}) as soon as
     * that process ends, however it ended ({@code kill -9} included, which runs no shutdown hook in the parent):
     * the command stops as on SIGTERM and exits with {@link #ORPHANED_STATUS}.
     */
    static void exitWithParent(String parentPid) {
        if (parentPid == null || parentPid.isBlank()) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(parentPid.strip());
        } catch (NumberFormatException e) {
            return;
        }
        Optional<ProcessHandle> parent = ProcessHandle.of(pid);
        if (parent.isEmpty() || !parent.get().isAlive()) {
            Runtime.getRuntime().halt(ORPHANED_STATUS);
        }
        onDeath(parent.get(), () -> CleanStop.request("the launching process " + pid + " ended"));
    }

    /** Runs {@code action} on a daemon thread once {@code process} has ended. */
    static void onDeath(ProcessHandle process, Runnable action) {
        process.onExit().thenRunAsync(action, r -> {
            Thread t = new Thread(r, "mllmrec-parent-watch");
            t.setDaemon(true);
            t.start();
        });
    }

    /**
     * {@code jvmOptions} followed by {@link #COLLECTOR}, unless they already choose a collector ({@code -XX:+Use...GC})
     * or size the young generation ({@code -Xmn}, {@code -XX:NewSize}, {@code -XX:MaxNewSize}, {@code -XX:NewRatio}):
     * a user's own choice stands.
     */
    static List<String> withCollector(List<String> jvmOptions) {
        boolean chosen = jvmOptions.stream().anyMatch(o -> o.matches("-XX:[+-]Use\\w*GC") || o.startsWith("-Xmn")
                || o.startsWith("-XX:NewSize") || o.startsWith("-XX:MaxNewSize") || o.startsWith("-XX:NewRatio"));
        if (chosen) {
            return jvmOptions;
        }
        List<String> out = new ArrayList<>(jvmOptions);
        out.addAll(COLLECTOR);
        return out;
    }

    /**
     * Runs {@code args} in a tuned child JVM and returns its exit status, or empty when the child cannot be
     * started (the caller then runs in this process).
     */
    static Optional<Integer> relaunch(String[] args) {
        Optional<String> java = ProcessHandle.current().info().command();
        if (java.isEmpty()) {
            return Optional.empty();
        }
        List<String> jvmOptions = new ArrayList<>(
                withCollector(ManagementFactory.getRuntimeMXBean().getInputArguments()));
        jvmOptions.add("-D" + PARENT_PID_PROPERTY + "=" + ProcessHandle.current().pid());
        List<String> cmd = childCommand(java.get(), jvmOptions, System.getProperty("java.class.path"),
                Main.class.getName(), args);
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().putAll(MALLOC_ENV);
        Process child;
        try {
            child = pb.start();
        } catch (IOException e) {
            return Optional.empty();
        }
        // On SIGTERM or SIGINT: pass a SIGTERM on and wait while the child stops cleanly (it closes its native
        // sessions), so that the terminal gets its prompt back only when the child is gone.
        Thread stopChild = new Thread(() -> {
            child.destroy();
            try {
                if (!child.waitFor(Long.getLong(CleanStop.GRACE_PROPERTY, CleanStop.DEFAULT_GRACE_SECONDS) + 10,
                        TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            } catch (InterruptedException e) {
                child.destroyForcibly();
            }
        }, "mllmrec-stop-child");
        Runtime.getRuntime().addShutdownHook(stopChild);
        try {
            int status = child.waitFor();
            try {
                Runtime.getRuntime().removeShutdownHook(stopChild);
            } catch (IllegalStateException shuttingDown) {
                // the hook is already running: nothing to remove
            }
            return Optional.of(status);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            child.destroy();
            return Optional.of(130);
        }
    }
}
