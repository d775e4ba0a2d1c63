package dev.mllmrec.examples.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Small helpers shared by the commands: aligned text tables for standard output and number formatting.
 *
 * <p>Thread-safe: stateless.
 */
public final class CommandSupport {

    private CommandSupport() {
    }

    /**
     * Prints a table with a header row and a rule; the first column is left-aligned, the others right-aligned.
     */
    public static void printTable(PrintStream out, List<String> header, List<List<String>> rows) {
        int cols = header.size();
        int[] width = new int[cols];
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> row : all) {
            for (int c = 0; c < cols; c++) {
                width[c] = Math.max(width[c], c < row.size() ? row.get(c).length() : 0);
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < all.size(); r++) {
            List<String> row = all.get(r);
            for (int c = 0; c < cols; c++) {
                String cell = c < row.size() ? row.get(c) : "";
                String pad = " ".repeat(width[c] - cell.length());
                sb.append(c == 0 ? cell + pad : pad + cell);
                sb.append(c == cols - 1 ? "" : "  ");
            }
            sb.append('\n');
            if (r == 0) {
                int total = 0;
                for (int w : width) {
                    total += w;
                }
                sb.append("-".repeat(total + 2 * (cols - 1))).append('\n');
            }
        }
        out.print(sb);
        out.flush();
    }

    /** Prints {@code key  value} lines, keys padded to one width. */
    public static void printPairs(PrintStream out, Map<String, String> pairs) {
        List<List<String>> rows = new ArrayList<>();
        pairs.forEach((k, v) -> rows.add(List.of(k, v)));
        int w = pairs.keySet().stream().mapToInt(String::length).max().orElse(0);
        StringBuilder sb = new StringBuilder();
        for (List<String> row : rows) {
            sb.append(row.get(0)).append(" ".repeat(w - row.get(0).length())).append("  ").append(row.get(1))
                    .append('\n');
        }
        out.print(sb);
        out.flush();
    }

    /** A metric value with four decimals. */
    public static String metric(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** Seconds with one decimal. */
    public static String seconds(double s) {
        return String.format(Locale.ROOT, "%.1f s", s);
    }

    /** Seconds since {@code startNanos}. */
    public static double since(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
