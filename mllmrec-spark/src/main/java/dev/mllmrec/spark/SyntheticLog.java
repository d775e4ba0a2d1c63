package dev.mllmrec.spark;

import dev.mllmrec.core.Seeds;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded synthetic catalog and interaction log of any size, in MovieLens's layout ({@code movies.csv},
 * {@code ratings.csv}), so that the single-machine {@code prepare --movielens DIR} and the Spark jobs read the
 * same files and the scale path is tested without downloads.
 *
 * <p>Items {@code 1..items} have a title ({@code Synthetic item <id> (<year>)}) and one to three MovieLens genres.
 * Users {@code 1, 2, ...} each get a sequence of {@code minLength..2*meanLength-minLength} interactions (the last
 * user is cut so the log has exactly {@code interactions} lines): with probability {@code 1/2} the next item follows
 * the previous one ({@code i -> i + 1}, a sequential signal a model can learn), otherwise it is drawn with a
 * Zipf-like popularity ({@code floor(exp(U * ln(items + 1)))}). Timestamps increase within a user. Every item and
 * every user has its own random stream ({@link Seeds#random}), so the log is a function of the settings alone.
 * {@link #writeImages} adds a procedural poster per item ({@code posters/<id>.png}: a seeded background, bands and a
 * disc), where the MovieLens reader looks for images.
 *
 * <p>Thread-safe: stateless.
 */
public final class SyntheticLog {

    /** MovieLens's genres. */
    public static final List<String> GENRES = List.of("Action", "Adventure", "Animation", "Children", "Comedy",
            "Crime", "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "IMAX", "Musical", "Mystery",
            "Romance", "Sci-Fi", "Thriller", "War", "Western");

    /**
     * The size of a log.
     *
     * @param items        the catalog size
     * @param interactions the number of interactions (lines of {@code ratings.csv})
     * @param meanLength   the mean interactions per user
     * @param minLength    the fewest interactions of a user (but the last)
     * @param seed         the seed
     */
    public record Spec(int items, long interactions, int meanLength, int minLength, long seed) {

        /** Validates. */
        public Spec {
            if (items < 2) {
                throw new IllegalArgumentException("--items must be at least 2, got " + items + ".");
            }
            if (interactions < 1) {
                throw new IllegalArgumentException("--interactions must be at least 1, got " + interactions + ".");
            }
            if (minLength < 1 || meanLength < minLength) {
                throw new IllegalArgumentException("Need 1 <= --min-length <= --mean-length, got " + minLength
                        + " and " + meanLength + ".");
            }
        }
    }

    /**
     * What was written.
     *
     * @param dir          the folder
     * @param items        items written
     * @param users        users written
     * @param interactions interactions written
     * @param seconds      wall-clock time
     */
    public record Written(String dir, int items, long users, long interactions, double seconds) {
    }

    private static final String[] RATINGS = {"0.5", "1.0", "1.5", "2.0", "2.5", "3.0", "3.5", "4.0", "4.5", "5.0"};
    private static final long EPOCH_2000 = 946_684_800L;
    private static final int TEN_YEARS = 315_360_000;

    private SyntheticLog() {
    }

    /** Writes {@code dir/movies.csv} and {@code dir/ratings.csv}, each atomically (a temporary file, then a move). */
    public static Written write(Spec spec, Path dir) {
        long start = System.nanoTime();
        try {
            Files.createDirectories(dir);
            writeAtomically(dir.resolve("movies.csv"), w -> writeMovies(spec, w));
            long[] users = new long[1];
            writeAtomically(dir.resolve("ratings.csv"), w -> users[0] = writeRatings(spec, w));
            return new Written(dir.toString(), spec.items(), users[0], spec.interactions(),
                    (System.nanoTime() - start) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the synthetic log to " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code dir/posters/<id>.png} for items {@code 1..items} (60 x 90 pixels), each a function of the seed
     * and the id; returns how many were written.
     */
    public static int writeImages(Spec spec, Path dir) {
        Path posters = dir.resolve("posters");
        try {
            Files.createDirectories(posters);
            for (int id = 1; id <= spec.items(); id++) {
                SplittableRandom r = Seeds.random(spec.seed(), "image-" + id);
                java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(60, 90,
                        java.awt.image.BufferedImage.TYPE_INT_RGB);
                java.awt.Graphics2D g = img.createGraphics();
                try {
                    g.setColor(new java.awt.Color(r.nextInt(1 << 24)));
                    g.fillRect(0, 0, 60, 90);
                    for (int band = 0; band < 1 + r.nextInt(3); band++) {
                        g.setColor(new java.awt.Color(r.nextInt(1 << 24)));
                        g.fillRect(0, r.nextInt(80), 60, 5 + r.nextInt(25));
                    }
                    g.setColor(new java.awt.Color(r.nextInt(1 << 24)));
                    int d = 10 + r.nextInt(30);
                    g.fillOval(r.nextInt(60 - d / 2), r.nextInt(90 - d / 2), d, d);
                } finally {
                    g.dispose();
                }
                Path tmp = posters.resolve(id + ".png.tmp");
                javax.imageio.ImageIO.write(img, "png", tmp.toFile());
                Files.move(tmp, posters.resolve(id + ".png"), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            }
            return spec.items();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the synthetic posters to " + posters + ": " + e.getMessage(),
                    e);
        }
    }

    /** The title of item {@code id}. */
    public static String title(int id, long seed) {
        return "Synthetic item " + id + " (" + (1950 + Seeds.random(seed, "year-" + id).nextInt(75)) + ")";
    }

    private interface Body {
        void write(BufferedWriter w) throws IOException;
    }

    private static void writeAtomically(Path file, Body body) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            body.write(w);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writeMovies(Spec spec, BufferedWriter w) throws IOException {
        w.write("movieId,title,genres\n");
        for (int id = 1; id <= spec.items(); id++) {
            SplittableRandom r = Seeds.random(spec.seed(), "item-" + id);
            int n = 1 + r.nextInt(3);
            StringBuilder genres = new StringBuilder();
            int g = r.nextInt(GENRES.size());
            for (int k = 0; k < n; k++) {
                genres.append(k == 0 ? "" : "|").append(GENRES.get((g + 5 * k) % GENRES.size()));
            }
            w.write(id + "," + title(id, spec.seed()) + "," + genres + "\n");
        }
    }

    private static long writeRatings(Spec spec, BufferedWriter w) throws IOException {
        w.write("userId,movieId,rating,timestamp\n");
        double logItems = Math.log(spec.items() + 1.0);
        int span = 2 * spec.meanLength() - 2 * spec.minLength() + 1;
        long written = 0;
        long user = 0;
        StringBuilder line = new StringBuilder(48);
        while (written < spec.interactions()) {
            user++;
            SplittableRandom r = Seeds.random(spec.seed(), "user-" + user);
            long length = Math.min(spec.minLength() + r.nextInt(span), spec.interactions() - written);
            long t = EPOCH_2000 + r.nextInt(TEN_YEARS);
            int item = popular(r, logItems, spec.items());
            for (long k = 0; k < length; k++) {
                if (k > 0) {
                    item = r.nextBoolean() ? item % spec.items() + 1 : popular(r, logItems, spec.items());
                    t += 1 + r.nextInt(86_400);
                }
                line.setLength(0);
                line.append(user).append(',').append(item).append(',')
                        .append(RATINGS[r.nextInt(RATINGS.length)]).append(',')
                        .append(t).append('\n');
                w.write(line.toString());
            }
            written += length;
        }
        return user;
    }

    private static int popular(SplittableRandom r, double logItems, int items) {
        return Math.min(items, Math.max(1, (int) Math.floor(Math.exp(r.nextDouble() * logItems))));
    }
}
