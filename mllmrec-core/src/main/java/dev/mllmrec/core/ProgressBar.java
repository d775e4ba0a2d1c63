package dev.mllmrec.core;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A text progress bar with rate and ETA, written to standard error at most a few times a second. On a terminal it
 * redraws one line; otherwise (CI logs, pipes) it prints a line every ten percent. Thread-safe.
 *
 * <p>Silent unless an application turns drawing on with {@link #drawOnStandardError(boolean)} (the command line
 * does): a library embedded in someone else's program does not write to their standard error. Progress reaches
 * library callers through the trainers' listeners instead. {@code -Dmllmrec.progress.off=true} silences it
 * either way.
 */
public final class ProgressBar implements AutoCloseable {

    private static final AtomicBoolean DRAW = new AtomicBoolean();

    private static final long MIN_INTERVAL_NANOS = 250_000_000L;

    private final String label;
    private final long total;
    private final String unit;
    private final PrintStream out;
    private final boolean interactive;
    private final boolean enabled;
    private final long start = System.nanoTime();
    private final AtomicLong done = new AtomicLong();
    private long lastDraw;
    private int lastDecile = -1;

    /**
     * @param label what is being done, for example {@code captioning}
     * @param total the number of units of work (0 when unknown)
     * @param unit  the unit name, for example {@code images}
     */
    public ProgressBar(String label, long total, String unit) {
        this(label, total, unit, System.err, System.console() != null,
                DRAW.get() && !Boolean.getBoolean("mllmrec.progress.off"));
    }

    /**
     * Whether bars created from now on draw on standard error (off by default; the command line turns it on).
     *
     * @param on draw or not
     */
    public static void drawOnStandardError(boolean on) {
        DRAW.set(on);
    }

    ProgressBar(String label, long total, String unit, PrintStream out, boolean interactive, boolean enabled) {
        this.label = label;
        this.total = total;
        this.unit = unit;
        this.out = out;
        this.interactive = interactive;
        this.enabled = enabled;
    }

    /** Records {@code n} more units done. */
    public void step(long n) {
        long now = done.addAndGet(n);
        maybeDraw(now, false);
    }

    /** Records one more unit done. */
    public void step() {
        step(1);
    }

    /** Units done so far. */
    public long done() {
        return done.get();
    }

    /** Seconds since the bar was created. */
    public double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    private synchronized void maybeDraw(long now, boolean force) {
        if (!enabled) {
            return;
        }
        long t = System.nanoTime();
        if (interactive) {
            if (!force && t - lastDraw < MIN_INTERVAL_NANOS) {
                return;
            }
            lastDraw = t;
            out.print("\r" + render(now, t));
            out.flush();
        } else {
            int decile = total > 0 ? (int) Math.min(10, now * 10 / total) : -1;
            if (force || decile > lastDecile) {
                lastDecile = decile;
                out.println(render(now, t));
            }
        }
    }

    String render(long now, long t) {
        double secs = Math.max(1e-9, (t - start) / 1e9);
        double rate = now / secs;
        StringBuilder sb = new StringBuilder(label).append(' ');
        if (total > 0) {
            double frac = Math.min(1.0, (double) now / total);
            int width = 24;
            int filled = (int) Math.round(frac * width);
            sb.append('[').append("#".repeat(filled)).append(" ".repeat(width - filled)).append("] ");
            sb.append(String.format(Locale.ROOT, "%d/%d %s %5.1f%%", now, total, unit, frac * 100));
            double eta = rate > 0 ? (total - now) / rate : Double.NaN;
            sb.append(String.format(Locale.ROOT, " | %.1f %s/s | ETA %s", rate, unit, formatSeconds(eta)));
        } else {
            sb.append(String.format(Locale.ROOT, "%d %s | %.1f %s/s", now, unit, rate, unit));
        }
        sb.append(String.format(Locale.ROOT, " | %s elapsed", formatSeconds(secs)));
        return sb.toString();
    }

    static String formatSeconds(double s) {
        if (Double.isNaN(s) || Double.isInfinite(s)) {
            return "--:--";
        }
        long total = Math.round(s);
        return total >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
                : String.format(Locale.ROOT, "%02d:%02d", total / 60, total % 60);
    }

    /** Draws the final state and ends the line. */
    @Override
    public void close() {
        maybeDraw(done.get(), true);
        if (enabled && interactive) {
            out.println();
        }
    }
}
