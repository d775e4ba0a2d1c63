package dev.mllmrec.examples.cli;

import dev.mllmrec.api.InvalidDataException;
import java.io.UncheckedIOException;
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
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the program and exits with its status. */
    public static void main(String[] args) {
        if (NativeHeap.shouldRelaunch(System.getenv(), System.getProperty("os.name", ""),
                System.getProperty(NativeHeap.RELAUNCH_PROPERTY))) {
            Optional<Integer> status = NativeHeap.relaunch(args);
            if (status.isPresent()) {
                System.exit(status.get());
            }
        }
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
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // Bad input is the user's to fix: print the sentence that names file, line and value, not a trace.
            if (ex instanceof InvalidDataException || ex instanceof IllegalArgumentException
                    || ex instanceof UncheckedIOException || ex instanceof CommandLine.ParameterException) {
                cmd.getErr().println("error: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
