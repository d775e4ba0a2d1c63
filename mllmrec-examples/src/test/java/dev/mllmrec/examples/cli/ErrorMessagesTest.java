package dev.mllmrec.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mllmrec.core.AtomicFiles;
import dev.mllmrec.core.WorkDirLock;
import dev.mllmrec.core.lm.ParameterFiles;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command reports a full disk, a truncated file and a busy work directory in one line. */
class ErrorMessagesTest {

    @TempDir
    Path dir;

    @Test
    void aFullDiskIsOneLineThatSaysWhatToDo() {
        Path full = Path.of("/dev/full");
        Assumptions.assumeTrue(Files.exists(full), "no /dev/full on this system");
        IOException real = null;
        try {
            Files.write(full, new byte[1 << 16]); // the operating system's own ENOSPC
        } catch (IOException e) {
            real = e;
        }
        assertThat(real).isNotNull();
        // As a worker thread of textualize sees it: wrapped twice.
        Throwable wrapped = new CompletionException(new UncheckedIOException("Cannot append to W/captions.jsonl: "
                + real.getMessage(), real));
        String m = ErrorMessages.userMessage(wrapped).orElseThrow();
        assertThat(m).startsWith("the disk is full").contains("captions.jsonl").contains("free some space")
                .doesNotContain("\n");
    }

    @Test
    void aTruncatedFileIsOneLineNeverNull() throws Exception {
        Path params = dir.resolve("model.params");
        ParameterFiles.write(params, Map.of("w", new float[64]));
        byte[] b = Files.readAllBytes(params);
        Files.write(params, java.util.Arrays.copyOf(b, 40));
        RuntimeException e = null;
        try {
            ParameterFiles.read(params);
        } catch (RuntimeException ex) {
            e = ex;
        }
        String m = ErrorMessages.userMessage(e).orElseThrow();
        assertThat(m).contains(params.toString()).contains("truncated").doesNotContain("null");
        String eof = ErrorMessages.userMessage(new UncheckedIOException("Cannot read X: null",
                new EOFException())).orElseThrow();
        assertThat(eof).isEqualTo("Cannot read X (the file ends early: it is truncated; write it again with the"
                + " command that made it)");
        assertThat(ErrorMessages.userMessage(new IllegalStateException("a bug"))).isEmpty();
    }

    /** Holds the lock of {@code args[0]} until its standard input closes. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            try (WorkDirLock lock = WorkDirLock.acquire(Path.of(args[0]), "train-grpo")) {
                System.out.println("locked");
                System.out.flush();
                while (System.in.read() >= 0) {
                    // wait
                }
            }
        }
    }

    @Test
    void aSecondWriterOfOneWorkDirectoryFailsAtOnceNamingTheHoldersPid() throws Exception {
        Path w = Files.createDirectories(dir.resolve("w"));
        AtomicFiles.writeString(w.resolve("catalog.jsonl"), "");
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                Holder.class.getName(), w.toString())).redirectErrorStream(true).start();
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            assertThat(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
                    .readLine()).isEqualTo("locked");
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int rc = Main.run("textualize", "--work-dir", w.toString(), "--no-progress");
            System.setErr(saved);
            assertThat(rc).isEqualTo(2);
            String text = err.toString(StandardCharsets.UTF_8);
            assertThat(text).startsWith("error: The work directory").contains("pid=" + p.pid())
                    .contains("command=train-grpo");
            assertThat(text.strip().lines()).hasSize(1);
        } finally {
            System.setErr(saved);
            p.destroyForcibly();
            p.waitFor();
        }
        // Once the holder is gone (killed with -9) the work directory is free again.
        try (WorkDirLock lock = WorkDirLock.acquire(w, "textualize")) {
            assertThat(WorkDirLock.holder(w)).contains("pid=" + ProcessHandle.current().pid());
        }
    }
}
