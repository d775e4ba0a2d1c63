package dev.mllmrec.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mllmrec.core.WorkDirLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline's background stage: its child command line, the shared lock, and the stage order. */
class BackgroundStageTest {

    @Test
    void theChildGetsThisJvmsOptionsWithItsOwnParentProgressAndRelaunchSettings() {
        List<String> cmd = BackgroundStage.command("/usr/bin/java", List.of("-Xmx8g", "-Dai.djl.offline=true",
                        "-Dmllmrec.parent.pid=7", "-Dmllmrec.progress.off=false", "-Dmllmrec.relaunch=true",
                        "-Dmllmrec.workdir.lockedByParent=7"), "mllmrec.jar", 1234,
                new String[] {"train-sasrec", "--work-dir", "W"});
        assertThat(cmd).containsExactly("/usr/bin/java", "-Xmx8g", "-Dai.djl.offline=true",
                "-Dmllmrec.parent.pid=1234", "-Dmllmrec.workdir.lockedByParent=1234", "-Dmllmrec.progress.off=true",
                "-Dmllmrec.relaunch=false", "-cp", "mllmrec.jar", "dev.mllmrec.examples.cli.Main", "train-sasrec",
                "--work-dir", "W");
    }

    @Test
    void theLockIsSharedOnlyWithTheProcessItNames() {
        String holder = "pid=1234 command=pipeline since=2026-12-05T00:00:00Z";
        assertThat(Main.heldByParent(holder, "1234")).isTrue();
        assertThat(Main.heldByParent(holder, "123")).isFalse(); // a prefix of the PID is another process
        assertThat(Main.heldByParent(holder, null)).isFalse();
        assertThat(Main.heldByParent("", "1234")).isFalse();
        assertThat(Main.heldByParent("pid=99 command=train-sft since=x", "1234")).isFalse();
    }

    @Test
    void bothSasrecStagesMoveRightAfterPrepareInTheirOrderAndNothingElseMoves() {
        String[] ids = {"train-sasrec"};
        String[] content = {"train-sasrec", "--item-features", "facets"};
        List<String[]> stages = List.of(new String[] {"prepare"}, new String[] {"textualize"},
                new String[] {"assess"}, ids, content, new String[] {"train-sft"}, new String[] {"evaluate"});
        List<String[]> moved = PipelineCommand.sasrecAfterPrepare(stages);
        assertThat(moved.stream().map(s -> s[0]))
                .containsExactly("prepare", "train-sasrec", "train-sasrec", "textualize", "assess", "train-sft",
                        "evaluate");
        assertThat(moved.get(1)).isSameAs(ids);
        assertThat(moved.get(2)).isSameAs(content);
        Path w = Path.of("W").toAbsolutePath();
        assertThat(PipelineCommand.log(dev.mllmrec.core.WorkDir.of(w), ids))
                .isEqualTo(w.resolve("train-sasrec").resolve("pipeline.log"));
        assertThat(PipelineCommand.log(dev.mllmrec.core.WorkDir.of(w), content))
                .isEqualTo(w.resolve("train-sasrec-content").resolve("pipeline.log"));
        List<String[]> noPrepare = List.of(new String[] {"train-sasrec"}, new String[] {"evaluate"});
        assertThat(PipelineCommand.sasrecAfterPrepare(noPrepare)).isEqualTo(noPrepare);
    }

    @Test
    void aChildStageRunsInsideThePipelinesLockAndItsOutputGoesToTheLog(@TempDir Path dir) throws Exception {
        Path w = dir.resolve("W");
        Files.createDirectories(w);
        try (WorkDirLock lock = WorkDirLock.acquire(w, "pipeline")) {
            // The stage gets past the lock (held by this JVM, its parent) to the work directory's real problem.
            Path log = w.resolve("train-sasrec").resolve("pipeline.log");
            String[] stage = {"evaluate", "--work-dir", w.toString(), "--model", "random", "--negatives", "9"};
            try (BackgroundStage child = BackgroundStage.start(stage, log).orElseThrow()) {
                assertThat(child.waitFor()).isNotZero();
                assertThat(child.seconds()).isPositive();
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(out).contains("has no prepared data").doesNotContain("in use");

            // The same command as an ordinary second process is refused by the lock.
            String java = ProcessHandle.current().info().command().orElseThrow();
            Process other = new ProcessBuilder(java, "-Dmllmrec.relaunch=false", "-cp",
                    System.getProperty("java.class.path"), Main.class.getName(), "evaluate", "--work-dir",
                    w.toString(), "--model", "random", "--negatives", "9").redirectErrorStream(true).start();
            String otherOut = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(other.waitFor()).isNotZero();
            assertThat(otherOut).contains("is in use by another mllmrec process (pid="
                    + ProcessHandle.current().pid() + " command=pipeline").doesNotContain("has no prepared data");
        }
    }

    @Test
    void aChainRunsItsCommandsInOrderAndAfterAFailureRunsNoMore(@TempDir Path dir) throws Exception {
        Path w = dir.resolve("W");
        Files.createDirectories(w);
        String[] help = {"evaluate", "--help"};
        String[] failing = {"evaluate", "--work-dir", w.toString(), "--model", "random", "--negatives", "9"};
        String[] never = {"prepare", "--help"};
        java.util.function.Function<String[], Path> logs = a -> dir.resolve(a[0] + "-" + a.length + ".log");
        try (BackgroundChain chain = BackgroundChain.start(List.of(help, failing, never), logs).orElseThrow()) {
            List<BackgroundChain.Result> results = chain.await();
            assertThat(results).hasSize(3);
            assertThat(results.get(0).args()).isEqualTo(help);
            assertThat(results.get(0).status()).isZero();
            assertThat(Files.readString(logs.apply(help), StandardCharsets.UTF_8)).contains("Usage: mllmrec evaluate");
            assertThat(results.get(1).status()).isNotNull().isNotZero();
            assertThat(Files.readString(logs.apply(failing), StandardCharsets.UTF_8))
                    .contains("has no prepared data");
            assertThat(results.get(1).seconds()).isPositive();
            assertThat(results.get(2).args()).isEqualTo(never);
            assertThat(results.get(2).status()).as("after a failure the rest do not run").isNull();
            assertThat(logs.apply(never)).doesNotExist();
        }
    }
}
