package dev.mllmrec.examples.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Commands run one after another in child JVMs beside the current one ({@link BackgroundStage} each): how
 * {@code pipeline} trains both SASRec baselines on the second core while the policy's stages run on the first. A
 * command starts once the one before it has ended with status 0; after a failure the rest are not run.
 *
 * <p>Thread-safe: a daemon thread starts the children; the caller waits for them ({@link #await()}) or stops them
 * ({@link #close()}).
 */
final class BackgroundChain implements AutoCloseable {

    /**
     * How one command of the chain ended.
     *
     * @param args    its command line
     * @param log     where its output went
     * @param seconds from its start to its end (0 when it never started)
     * @param status  its exit status; {@code null} when it never started (an earlier one failed, the chain was
     *                stopped, or no child JVM could be started)
     */
    record Result(String[] args, Path log, double seconds, Integer status) {
    }

    private final List<String[]> stages;
    private final Function<String[], Path> logs;
    private final List<Result> results = Collections.synchronizedList(new ArrayList<>());
    private final Thread runner;
    private final Object lock = new Object();
    private BackgroundStage current;
    private boolean closed;

    private BackgroundChain(List<String[]> stages, Function<String[], Path> logs, BackgroundStage first) {
        this.stages = List.copyOf(stages);
        this.logs = logs;
        this.current = first;
        this.runner = new Thread(this::run, "mllmrec-background-chain");
        runner.setDaemon(true);
    }

    /**
     * Starts the first of {@code stages} (command lines of this program) in a child JVM now and the others after it.
     *
     * @param logs each command's log file
     * @return empty when no child JVM can be started here (the caller then runs the commands in this process)
     * @throws IllegalArgumentException if {@code stages} is empty
     */
    static Optional<BackgroundChain> start(List<String[]> stages, Function<String[], Path> logs) {
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("A background chain needs at least one command.");
        }
        Optional<BackgroundStage> first = BackgroundStage.start(stages.get(0), logs.apply(stages.get(0)));
        if (first.isEmpty()) {
            return Optional.empty();
        }
        BackgroundChain chain = new BackgroundChain(stages, logs, first.get());
        chain.runner.start();
        return Optional.of(chain);
    }

    private void run() {
        for (int i = 0; i < stages.size(); i++) {
            String[] args = stages.get(i);
            BackgroundStage stage;
            synchronized (lock) {
                if (i > 0 && !closed) {
                    current = BackgroundStage.start(args, logs.apply(args)).orElse(null);
                }
                stage = closed && i > 0 ? null : current;
            }
            if (stage == null) {
                results.add(new Result(args, logs.apply(args), 0, null));
                continue;
            }
            int rc;
            try {
                rc = stage.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stage.close();
                rc = CleanStop.STOPPED_STATUS;
            }
            results.add(new Result(args, stage.log(), stage.seconds(), rc));
            if (rc != 0) {
                synchronized (lock) {
                    closed = true; // the rest are not run
                }
            }
        }
    }

    /**
     * Waits for every command of the chain to end (or to be skipped).
     *
     * @return one result per command, in order
     * @throws InterruptedException if this thread is interrupted while waiting (the children keep running)
     */
    List<Result> await() throws InterruptedException {
        runner.join();
        synchronized (results) {
            return List.copyOf(results);
        }
    }

    /** Stops the running child (as {@link BackgroundStage#close()}) and starts no further one. */
    @Override
    public void close() {
        BackgroundStage running;
        synchronized (lock) {
            closed = true;
            running = current;
        }
        if (running != null) {
            running.close();
        }
        try {
            runner.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
