package dev.mllmrec.examples.cli;

import dev.mllmrec.core.ProgressBar;
import dev.mllmrec.core.StopSignal;
import dev.mllmrec.core.WorkDirLock;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code java -jar mllmrec.jar <command>}. Every subcommand has {@code --help} and writes a JSON
 * summary under its work directory.
 */
@Command(name = "mllmrec", mixinStandardHelpOptions = true, version = "mllmrec 0.1.0-SNAPSHOT",
        description = "MLLMRec-R1 on the JVM: a reasoning recommender for multimodal sequential recommendation.",
        subcommands = {
            CommandLine.HelpCommand.class,
            PrepareCommand.class,
            EvaluateCommand.class,
            BuildCotCommand.class,
            AssessCommand.class,
            AugmentCommand.class,
            TrainSftCommand.class,
            PipelineCommand.class,
            TextualizeCommand.class,
            TrainSasrecCommand.class,
            TrainGrpoCommand.class,
            AblationCommand.class,
            GenerateCommand.class,
            ExportOnnxCommand.class,
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the program and exits with its status. */
    public static void main(String[] args) {
        CleanStop.quietGpuProbe(System.getProperties(), CleanStop.hasNvidiaDriver());
        NativeHeap.exitWithParent(System.getProperty(NativeHeap.PARENT_PID_PROPERTY));
        if (NativeHeap.shouldRelaunch(System.getenv(), System.getProperty("os.name", ""),
                System.getProperty(NativeHeap.RELAUNCH_PROPERTY))) {
            Optional<Integer> status = NativeHeap.relaunch(args);
            if (status.isPresent()) {
                System.exit(status.get());
            }
        }
        CleanStop.installSignalHandlers();
        System.exit(run(args));
    }

    /** Runs the program and returns its exit status (for tests and embedding). */
    public static int run(String... args) {
        if (System.getProperty("ai.djl.offline") == null) {
            // Nothing may be downloaded at run time: libtorch comes from the pytorch-native-cpu jar.
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            // The built-in models are small: one libtorch thread per process beats two fighting over 2 cores
            // (SASRec trained 5x faster, GRPO rollouts 2-5x). Override with -Dai.djl.pytorch.num_threads=N.
            System.setProperty("ai.djl.pytorch.num_threads", "1");
        }
        if (System.getProperty("java.awt.headless") == null) {
            // The charts are drawn off screen; set here, for the program, not by the library for its host JVM.
            System.setProperty("java.awt.headless", "true");
        }
        // The library stays silent on standard error; the command line shows progress.
        ProgressBar.drawOnStandardError(true);
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof StopSignal.StopRequestedException) {
                cmd.getErr().println("stopped: " + ex.getMessage());
                return CleanStop.STOPPED_STATUS;
            }
            // Bad input, damaged files, a full disk, a busy work directory are the user's to fix: print the one
            // sentence that names the file and what to do, not a trace.
            Optional<String> message = ErrorMessages.userMessage(ex);
            if (message.isPresent()) {
                cmd.getErr().println("error: " + message.get());
                return 2;
            }
            throw ex;
        });
        cli.setExecutionStrategy(Main::executeLocked);
        int status = cli.execute(args);
        return status == 0 && StopSignal.requested() ? CleanStop.STOPPED_STATUS : status;
    }

    /**
     * Set by {@code pipeline} on a stage it runs in a child JVM ({@link BackgroundStage}): the pipeline's PID, which
     * holds the work directory's lock for the child.
     */
    static final String PARENT_LOCK_PROPERTY = "mllmrec.workdir.lockedByParent";

    /** Whether the lock {@code holder} line names {@code parentPid} (a number), the process that shares it. */
    static boolean heldByParent(String holder, String parentPid) {
        return parentPid != null && !parentPid.isBlank() && holder.startsWith("pid=" + parentPid.strip() + " ");
    }

    /** Runs the chosen command holding its work directory's lock ({@link WorkDirLock}), when it has one. */
    private static int executeLocked(CommandLine.ParseResult parsed) {
        CommandLine.ParseResult sub = parsed;
        while (sub.hasSubcommand()) {
            sub = sub.subcommand();
        }
        java.nio.file.Path workDir = sub.hasMatchedOption("--work-dir")
                ? sub.matchedOptionValue("--work-dir", (java.nio.file.Path) null) : null;
        if (workDir == null || sub.isUsageHelpRequested() || sub.isVersionHelpRequested()) {
            return new CommandLine.RunLast().execute(parsed);
        }
        String parentPid = System.getProperty(PARENT_LOCK_PROPERTY);
        // Read the lock file only in such a child: a process that holds the lock must not open and close the file
        // (closing any descriptor of a file drops the process's POSIX locks on it).
        if (parentPid != null && heldByParent(WorkDirLock.holder(workDir), parentPid)) {
            // A stage the pipeline runs beside itself in a child JVM: the pipeline holds the lock for both.
            return new CommandLine.RunLast().execute(parsed);
        }
        WorkDirLock lock;
        try {
            lock = WorkDirLock.acquire(workDir, sub.commandSpec().name());
        } catch (RuntimeException e) {
            // Reported by the execution exception handler, like a failure inside the command.
            throw new CommandLine.ExecutionException(sub.commandSpec().commandLine(), e.getMessage(), e);
        }
        try (lock) {
            return new CommandLine.RunLast().execute(parsed);
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
