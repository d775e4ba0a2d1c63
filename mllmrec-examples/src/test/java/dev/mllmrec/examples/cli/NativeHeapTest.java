package dev.mllmrec.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mllmrec.core.StopSignal;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NativeHeapTest {

    @Test
    void relaunchesOnlyOnLinuxWhenNotTunedAndNotTurnedOff() {
        assertThat(NativeHeap.shouldRelaunch(Map.of(), "Linux", null)).isTrue();
        assertThat(NativeHeap.shouldRelaunch(Map.of(), "Mac OS X", null)).isFalse();
        assertThat(NativeHeap.shouldRelaunch(Map.of(), "Linux", "false")).isFalse();
        // Any of the settings already present (the child, or a user who chose their own): run in place.
        assertThat(NativeHeap.shouldRelaunch(Map.of("MALLOC_TRIM_THRESHOLD_", "0"), "Linux", null)).isFalse();
        assertThat(NativeHeap.shouldRelaunch(Map.of("PATH", "/bin"), "linux", "true")).isTrue();
    }

    @Test
    void theChildRunsTheSameJvmOptionsClassPathAndArguments() {
        List<String> cmd = NativeHeap.childCommand("/usr/bin/java", List.of("-Dai.djl.offline=true", "-Xmx8g"),
                "mllmrec.jar", Main.class.getName(), new String[] {"pipeline", "--quick"});
        assertThat(cmd).containsExactly("/usr/bin/java", "-Dai.djl.offline=true", "-Xmx8g", "-cp", "mllmrec.jar",
                "dev.mllmrec.examples.cli.Main", "pipeline", "--quick");
        assertThat(NativeHeap.MALLOC_ENV).containsOnlyKeys("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_",
                "MALLOC_TOP_PAD_", "MALLOC_ARENA_MAX");
    }

    @Test
    void theChildCollectsOftenUnlessTheUserChoseACollector() {
        assertThat(NativeHeap.withCollector(List.of("-Dai.djl.offline=true")))
                .containsExactly("-Dai.djl.offline=true", "-XX:+UseSerialGC", "-Xmn6m");
        for (String own : List.of("-XX:+UseG1GC", "-XX:+UseParallelGC", "-Xmn512m", "-XX:NewSize=64m",
                "-XX:MaxNewSize=1g", "-XX:NewRatio=3")) {
            assertThat(NativeHeap.withCollector(List.of("-Dai.djl.offline=true", own)))
                    .as(own).containsExactly("-Dai.djl.offline=true", own);
        }
        // Other -XX options are not a choice of collector.
        assertThat(NativeHeap.withCollector(List.of("-XX:+UseCompressedOops"))).contains("-XX:+UseSerialGC");
    }

    /** A stand-in child: watches the process named by {@code args[0]} as its parent, then idles. */
    public static final class Orphan {
        public static void main(String[] args) throws Exception {
            NativeHeap.exitWithParent(args[0]);
            System.out.println("watching");
            System.out.flush();
            for (int i = 0; i < 2400 && !StopSignal.requested(); i++) {
                Thread.sleep(50); // a command's unit of work, then its check point
            }
            System.out.println("stopped cleanly");
            System.exit(StopSignal.requested() ? NativeHeap.ORPHANED_STATUS : 0);
        }
    }

    @Test
    void theChildExitsWhenItsParentIsKilledWithSignalNine() throws Exception {
        Process parent = new ProcessBuilder("sleep", "120").start();
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                Orphan.class.getName(), Long.toString(parent.pid())).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("watching");
            assertThat(child.isAlive()).isTrue();
            parent.destroyForcibly(); // kill -9: no hook of the parent runs
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the orphaned child exited").isTrue();
            assertThat(child.exitValue()).isEqualTo(NativeHeap.ORPHANED_STATUS);
            List<String> rest = out.lines().toList(); // standard error and output, in either order
            assertThat(rest).anyMatch(l -> l.contains("the launching process " + parent.pid() + " ended"))
                    .contains("stopped cleanly");
        } finally {
            parent.destroyForcibly();
            child.destroyForcibly();
        }
    }

    @Test
    void theRelaunchedChildIsToldItsParentsPid() {
        assertThat(NativeHeap.PARENT_PID_PROPERTY).isEqualTo("mllmrec.parent.pid");
        NativeHeap.exitWithParent(null); // not a child: nothing happens
        NativeHeap.exitWithParent("not-a-pid");
    }
}
