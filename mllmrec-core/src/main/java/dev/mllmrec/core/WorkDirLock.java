package dev.mllmrec.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * One writer per work directory: an exclusive operating-system lock on {@code W/.lock}, whose content names the
 * holder ({@code pid=1234 command=train-grpo since=2026-01-01T00:00:00Z}). A second process that asks for the lock
 * fails at once with a message naming the holder's PID. The operating system releases the lock when the holder
 * exits, however it exits ({@code kill -9} included), so a lock is never stale. Within one JVM the lock is
 * re-entrant (a pipeline that runs its stages in-process holds it once).
 *
 * <p>Thread-safe.
 */
public final class WorkDirLock implements AutoCloseable {

    /** The lock file inside a work directory. */
    public static final String FILE = ".lock";

    private static final Map<Path, Held> HELD = new HashMap<>();

    private final Path key;
    private boolean closed;

    private static final class Held {
        final FileChannel channel;
        final FileLock lock;
        int count;

        Held(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }
    }

    /** The work directory is locked by another process; the message names it and its PID. */
    public static final class InUseException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        InUseException(String message) {
            super(message);
        }
    }

    private WorkDirLock(Path key) {
        this.key = key;
    }

    /**
     * Locks {@code workDir} (created if needed) for {@code command}.
     *
     * @throws InUseException naming the holder's PID when another process holds the lock
     */
    public static WorkDirLock acquire(Path workDir, String command) {
        Path dir = workDir.toAbsolutePath().normalize();
        synchronized (HELD) {
            Held held = HELD.get(dir);
            if (held != null) {
                held.count++;
                return new WorkDirLock(dir);
            }
            Path file = dir.resolve(FILE);
            FileChannel ch = null;
            try {
                Files.createDirectories(dir);
                ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                FileLock lock;
                try {
                    lock = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null;
                }
                if (lock == null) {
                    String holder = readHolder(ch);
                    ch.close();
                    throw new InUseException("The work directory " + dir + " is in use by another mllmrec"
                            + " process (" + holder + "); wait for it to finish or stop it, or use another"
                            + " --work-dir.");
                }
                String me = "pid=" + ProcessHandle.current().pid() + " command=" + command + " since="
                        + Instant.now();
                ch.truncate(0);
                ch.write(ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.UTF_8)), 0);
                ch.force(false);
                Held h = new Held(ch, lock);
                h.count = 1;
                HELD.put(dir, h);
                return new WorkDirLock(dir);
            } catch (IOException e) {
                closeQuietly(ch);
                throw new UncheckedIOException("Cannot lock the work directory " + dir + " (" + file + "): "
                        + e.getMessage(), e);
            }
        }
    }

    /**
     * The holder recorded in {@code workDir}'s lock file, or empty when there is none. Not for the process that holds
     * the lock: on Linux, closing any descriptor of the file (as reading it does) releases the process's lock.
     */
    public static String holder(Path workDir) {
        Path file = workDir.resolve(FILE);
        try {
            return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8).strip() : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static String readHolder(FileChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(512);
        ch.read(buf, 0);
        String s = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
        return s.isEmpty() ? "holder unknown" : s;
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already failing
            }
        }
    }

    /** Releases this hold; the lock itself goes when the last hold in this JVM is released. */
    @Override
    public void close() {
        synchronized (HELD) {
            if (closed) {
                return;
            }
            closed = true;
            Held h = HELD.get(key);
            if (h == null || --h.count > 0) {
                return;
            }
            HELD.remove(key);
            try {
                h.channel.truncate(0);
                h.lock.release();
            } catch (IOException ignored) {
                // the channel is closed below; the OS drops the lock with it
            }
            closeQuietly(h.channel);
        }
    }
}
