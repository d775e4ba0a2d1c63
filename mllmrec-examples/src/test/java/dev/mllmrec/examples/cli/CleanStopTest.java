package dev.mllmrec.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mllmrec.core.StopSignal;
import dev.mllmrec.core.embed.MiniLmEncoder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM stops a command cleanly: native sessions closed in order, no crash; no GPU warning on a CPU machine. */
class CleanStopTest {

    /** Encodes with MiniLM on ONNX Runtime until stopped, as {@code assess} does; prints when the session is closed. */
    public static final class OnnxWorker {
        public static void main(String[] args) throws Exception {
            CleanStop.installSignalHandlers();
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                texts.add("a user who watched many science fiction films and a few comedies, number " + i);
            }
            try (MiniLmEncoder encoder = MiniLmEncoder.load(1, 32)) {
                System.out.println("ready");
                System.out.flush();
                while (true) {
                    encoder.encode(texts);
                    StopSignal.throwIfRequested();
                }
            } catch (StopSignal.StopRequestedException e) {
                System.out.println("closed after: " + e.getMessage());
                System.out.flush();
                System.exit(CleanStop.STOPPED_STATUS);
            }
        }
    }

    @Test
    void sigtermDuringOnnxInferenceClosesTheSessionAndExitsWithoutACrash(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(MiniLmEncoder.available(), "MiniLM is not on the class path");
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                OnnxWorker.class.getName()).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.equals("ready")) {
                // start-up logging
            }
            assertThat(line).isEqualTo("ready");
            // SIGTERM, in the middle of inference (Process.destroy would also close our end of its output).
            assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor()).isZero();
            List<String> rest = new ArrayList<>();
            while ((line = out.readLine()) != null) {
                rest.add(line);
            }
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(CleanStop.STOPPED_STATUS);
            assertThat(rest).anyMatch(l -> l.startsWith("stopping (SIGTERM)"))
                    .anyMatch(l -> l.startsWith("closed after: Stopped (SIGTERM)"))
                    .noneMatch(l -> l.contains("SIGBUS") || l.contains("SIGSEGV") || l.contains("fatal error"));
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.startsWith("hs_err"));
            }
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void theGpuProbeIsQuietWithoutADriverUnlessTheUserSetALevel() {
        Properties none = new Properties();
        CleanStop.quietGpuProbe(none, false);
        assertThat(none.getProperty(CleanStop.CUDA_LOG_PROPERTY)).isEqualTo("error");
        Properties gpu = new Properties();
        CleanStop.quietGpuProbe(gpu, true);
        assertThat(gpu.getProperty(CleanStop.CUDA_LOG_PROPERTY)).isNull();
        Properties user = new Properties();
        user.setProperty(CleanStop.CUDA_LOG_PROPERTY, "debug");
        CleanStop.quietGpuProbe(user, false);
        assertThat(user.getProperty(CleanStop.CUDA_LOG_PROPERTY)).isEqualTo("debug");
    }

    /** Starts the PyTorch engine the way every command does, after the command line's start-up settings. */
    public static final class EngineStart {
        public static void main(String[] args) {
            CleanStop.quietGpuProbe(System.getProperties(), CleanStop.hasNvidiaDriver());
            System.setProperty("ai.djl.offline", "true");
            System.out.println("engine " + ai.djl.engine.Engine.getInstance().getEngineName() + " gpus "
                    + ai.djl.util.cuda.CudaUtils.getGpuCount());
        }
    }

    @Test
    void noGpuWarningIsPrintedOnAMachineWithoutADriver() throws Exception {
        Assumptions.assumeFalse(CleanStop.hasNvidiaDriver(), "this machine has an NVIDIA driver");
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                EngineStart.class.getName()).redirectErrorStream(true).start();
        String all = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(all).contains("engine PyTorch gpus 0");
        assertThat(all.lines()).noneMatch(l -> l.contains("WARN") && (l.contains("CUDA") || l.contains("GPU")));
    }
}
