package dev.mllmrec.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two processes, one work directory: the second writer fails at once, naming the holder's PID. */
class WorkDirLockTest {

    /** Holds the lock of {@code args[0]} until its standard input closes. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            try (WorkDirLock lock = WorkDirLock.acquire(Path.of(args[0]), "holder")) {
                System.out.println("locked " + ProcessHandle.current().pid());
                System.out.flush();
                while (System.in.read() >= 0) {
                    // wait for the test to close our input
                }
            }
        }
    }

    private static Process holder(Path dir) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        return new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                Holder.class.getName(), dir.toString())).redirectErrorStream(true).start();
    }

    @Test
    void aSecondProcessFailsAtOnceNamingTheHolderAndGetsTheLockOnceItIsGone(@TempDir Path dir) throws Exception {
        Process p = holder(dir);
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).startsWith("locked ");
            assertThat(WorkDirLock.holder(dir)).contains("pid=" + p.pid()).contains("command=holder");
            assertThatThrownBy(() -> WorkDirLock.acquire(dir, "train-grpo"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("pid=" + p.pid())
                    .hasMessageContaining(dir.toAbsolutePath().toString())
                    .hasMessageNotContaining("\n");
            p.destroyForcibly(); // kill -9: the operating system drops the lock with the process
            p.waitFor();
            try (WorkDirLock lock = WorkDirLock.acquire(dir, "prepare")) {
                assertThat(WorkDirLock.holder(dir)).contains("pid=" + ProcessHandle.current().pid());
            }
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void theLockIsReentrantWithinOneProcess(@TempDir Path dir) {
        try (WorkDirLock outer = WorkDirLock.acquire(dir, "pipeline");
             WorkDirLock inner = WorkDirLock.acquire(dir, "prepare")) {
            assertThat(WorkDirLock.holder(dir)).contains("command=pipeline");
        }
        assertThat(WorkDirLock.holder(dir)).isEmpty();
    }
}
