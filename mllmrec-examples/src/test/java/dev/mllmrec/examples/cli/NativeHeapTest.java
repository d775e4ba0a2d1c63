package dev.mllmrec.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
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
                "MALLOC_TOP_PAD_");
    }
}
