package dev.mllmrec.core.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Writes a tiny synthetic MovieLens folder: {@code ml-latest-small/*.csv} and {@code posters/<id>.jpg}. */
final class MovieLensFixture {

    private MovieLensFixture() {
    }

    /**
     * @param users      users 1..users, each with 12..20 ratings
     * @param items      movies 1..items; titles include commas, quotes and non-ASCII text
     * @param withPoster movies 1..withPoster get a poster
     */
    static Path write(Path root, int users, int items, int withPoster) throws IOException {
        Path csv = root.resolve("ml-latest-small");
        Path posters = root.resolve("posters");
        Files.createDirectories(csv);
        Files.createDirectories(posters);
        StringBuilder movies = new StringBuilder("movieId,title,genres\r\n");
        StringBuilder links = new StringBuilder("movieId,imdbId,tmdbId\r\n");
        for (int i = 1; i <= items; i++) {
            String title = switch (i % 4) {
                case 0 -> "\"Movie " + i + ", The (1999)\"";
                case 1 -> "\"Movie \"\"Quoted\"\" " + i + " (2001)\"";
                case 2 -> "Amélie " + i + " – 東京 (2001)";
                default -> "Plain " + i + " (1995)";
            };
            String genres = i % 5 == 0 ? "(no genres listed)" : "Drama|Comedy";
            movies.append(i).append(',').append(title).append(',').append(genres).append("\r\n");
            links.append(i).append(',').append(String.format("%07d", 100000 + i)).append(',')
                    .append(i % 7 == 0 ? "" : Integer.toString(800 + i)).append("\r\n");
        }
        StringBuilder ratings = new StringBuilder("userId,movieId,rating,timestamp\r\n");
        SplittableRandom r = new SplittableRandom(7);
        for (int u = 1; u <= users; u++) {
            int n = 12 + r.nextInt(9);
            long t = 1_000_000L + u * 1000L;
            java.util.Set<Integer> seen = new java.util.HashSet<>();
            for (int k = 0; k < n; k++) {
                // popular low ids, plus a "next item = previous + 1" pattern for Markov
                int item = k > 0 && r.nextInt(3) > 0 ? Math.min(items, 1 + (int) (r.nextInt(items) * r.nextDouble()))
                        : 1 + r.nextInt(items);
                if (!seen.add(item)) {
                    continue;
                }
                ratings.append(u).append(',').append(item).append(',').append(1 + r.nextInt(5)).append(".0,")
                        .append(t + (k / 2)).append("\r\n");
            }
        }
        Files.writeString(csv.resolve("movies.csv"), movies, StandardCharsets.UTF_8);
        Files.writeString(csv.resolve("links.csv"), links, StandardCharsets.UTF_8);
        Files.writeString(csv.resolve("ratings.csv"), ratings, StandardCharsets.UTF_8);
        for (int i = 1; i <= withPoster; i++) {
            Files.write(posters.resolve(i + ".jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF});
        }
        return root;
    }
}
