package dev.mllmrec.core.data;

import dev.mllmrec.api.Interaction;
import dev.mllmrec.api.InvalidDataException;
import dev.mllmrec.api.Item;
import dev.mllmrec.core.text.PromptText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the MovieLens {@code ml-latest-small} layout ({@code ratings.csv}, {@code movies.csv}, optional
 * {@code links.csv}) plus an optional image folder of {@code <movieId>.<ext>} files.
 *
 * <p>Pipeline: items from {@code movies.csv} (genres split on {@code |}; {@code (no genres listed)} becomes no
 * genres), {@code imdbId}/{@code tmdbId} attributes from {@code links.csv}, an item's image is the absolute path of
 * its readable, non-empty image file; interactions from {@code ratings.csv}; then the images-only filter (drops
 * interactions with items without an image), then the minimum-interactions filter on users, then the catalog is
 * reduced to the items of the kept sequences.
 *
 * <p>Instances are immutable and thread-safe; each {@link #read()} reads the files anew.
 */
public final class MovieLensReader {

    /** The header of {@code movies.csv}. */
    public static final List<String> MOVIES_HEADER = List.of("movieId", "title", "genres");
    /** The header of {@code ratings.csv}. */
    public static final List<String> RATINGS_HEADER = List.of("userId", "movieId", "rating", "timestamp");
    /** The header of {@code links.csv}. */
    public static final List<String> LINKS_HEADER = List.of("movieId", "imdbId", "tmdbId");
    /** The sub-folder name of the CSV files inside a MovieLens root. */
    public static final String SMALL = "ml-latest-small";
    /** The image folder looked for when none is given. */
    public static final String POSTERS = "posters";
    /** The genres value MovieLens uses for "none". */
    public static final String NO_GENRES = "(no genres listed)";

    /** The earliest accepted rating timestamp, in seconds since 1970 (1970-01-01). */
    public static final long MIN_TIMESTAMP = 0L;
    /** The latest accepted rating timestamp, in seconds since 1970 (2100-01-01). */
    public static final long MAX_TIMESTAMP = 4_102_444_800L;

    private static final Pattern IMAGE_NAME = Pattern.compile("^(\\d{1,9})\\.([A-Za-z0-9]{1,10})$");

    private final String name;
    private final Path csvDir;
    private final Path imageDir;
    private final boolean imagesOnly;
    private final int minInteractions;
    private final boolean lenient;

    private MovieLensReader(Builder b, Path csvDir, Path imageDir) {
        this.name = b.name;
        this.csvDir = csvDir;
        this.imageDir = imageDir;
        this.imagesOnly = b.imagesOnly;
        this.minInteractions = b.minInteractions;
        this.lenient = b.lenient;
    }

    /** A builder; {@link Builder#setRoot(Path)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The folder that holds the CSV files. */
    public Path csvDir() {
        return csvDir;
    }

    /** The image folder, or {@code null} when there is none. */
    public Path imageDir() {
        return imageDir;
    }

    /**
     * Reads, filters and returns the dataset.
     *
     * @throws InvalidDataException on bad input in strict mode, or on an empty file or wrong header in any mode
     */
    public Dataset read() {
        DataIssues issues = DataIssues.of(lenient);
        Map<Integer, Item> items = readMovies(issues);
        readLinks(items, issues);
        long[] ignored = new long[1];
        Map<Integer, Path> images = imageDir == null ? Map.of() : readImages(items, issues, ignored);
        Map<Integer, Item> withImages = new LinkedHashMap<>();
        for (Item item : items.values()) {
            Path image = images.get(item.id());
            withImages.put(item.id(), image == null ? item
                    : new Item(item.id(), item.title(), item.genres(), item.attributes(), image.toString()));
        }
        List<Interaction> interactions = readRatings(withImages.keySet(), issues);
        return DatasetAssembler.assemble(name, withImages, Sequences.chronological(interactions),
                interactions.size(), imagesOnly, minInteractions, true, images.size(), ignored[0], issues);
    }

    private Map<Integer, Item> readMovies(DataIssues issues) {
        Path file = csvDir.resolve("movies.csv");
        Map<Integer, Item> items = new TreeMap<>();
        CsvFile.read(file, MOVIES_HEADER, issues, row -> {
            if (!fieldCount(file, row, 3, issues)) {
                return;
            }
            Integer id = positiveInt(file, row, row.field(0), "movieId", issues);
            if (id == null) {
                return;
            }
            String title = issues.normalise(file, "title", row.field(1), PromptText.Kind.TITLE);
            if (title.isBlank()) {
                issues.report(SkipReason.MALFORMED_LINE,
                        new InvalidDataException(file.toString(), row.line(), row.text(), "movie " + id + " has a blank title"));
                return;
            }
            if (items.containsKey(id)) {
                issues.report(SkipReason.DUPLICATE_ITEM, new InvalidDataException(file.toString(), row.line(),
                        row.field(0), "movieId " + id + " is defined twice"));
                return;
            }
            String genres = row.field(2).strip();
            List<String> list = genres.isEmpty() || genres.equals(NO_GENRES) ? List.of()
                    : Arrays.stream(genres.split("\\|"))
                            .map(g -> issues.normalise(file, "genres", g, PromptText.Kind.ATTRIBUTE).strip())
                            .filter(g -> !g.isEmpty()).toList();
            items.put(id, new Item(id, title, list, Map.of(), null));
        });
        return items;
    }

    private void readLinks(Map<Integer, Item> items, DataIssues issues) {
        Path file = csvDir.resolve("links.csv");
        if (!Files.exists(file)) {
            return;
        }
        CsvFile.read(file, LINKS_HEADER, issues, row -> {
            if (!fieldCount(file, row, 3, issues)) {
                return;
            }
            Integer id = positiveInt(file, row, row.field(0), "movieId", issues);
            if (id == null) {
                return;
            }
            Item item = items.get(id);
            if (item == null) {
                issues.report(SkipReason.UNKNOWN_ITEM, new InvalidDataException(file.toString(), row.line(),
                        row.field(0), "movieId " + id + " is not in movies.csv"));
                return;
            }
            Map<String, String> attrs = new TreeMap<>(item.attributes());
            for (int i = 1; i <= 2; i++) {
                String v = row.field(i).strip();
                if (!v.isEmpty()) {
                    if (!v.chars().allMatch(Character::isDigit)) {
                        issues.report(SkipReason.MALFORMED_LINE, new InvalidDataException(file.toString(),
                                row.line(), v, LINKS_HEADER.get(i) + " is not a number"));
                        return;
                    }
                    attrs.put(LINKS_HEADER.get(i), v);
                }
            }
            items.put(id, new Item(id, item.title(), item.genres(), attrs, item.image()));
        });
    }

    private Map<Integer, Path> readImages(Map<Integer, Item> items, DataIssues issues, long[] ignored) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(imageDir)) {
            for (Path p : dir) {
                files.add(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the image folder " + imageDir + ": " + e.getMessage(), e);
        }
        files.sort(null);
        Map<Integer, Path> out = new TreeMap<>();
        for (Path p : files) {
            Matcher m = IMAGE_NAME.matcher(p.getFileName().toString());
            if (!m.matches() || Files.isDirectory(p)) {
                ignored[0]++;
                continue;
            }
            int id = Integer.parseInt(m.group(1));
            if (!items.containsKey(id) || out.containsKey(id)) {
                ignored[0]++;
                continue;
            }
            String problem = unreadable(p);
            if (problem != null) {
                issues.report(SkipReason.UNREADABLE_IMAGE,
                        new InvalidDataException(p.toAbsolutePath().toString(), 0, String.valueOf(id), problem));
                continue;
            }
            out.put(id, p.toAbsolutePath().normalize());
        }
        return out;
    }

    private static String unreadable(Path p) {
        try {
            if (!Files.isRegularFile(p)) {
                return "the image is not a regular file";
            }
            if (!Files.isReadable(p)) {
                return "the image file cannot be read (check its permissions)";
            }
            if (Files.size(p) == 0) {
                return "the image file is empty";
            }
            return null;
        } catch (IOException e) {
            return "the image file cannot be read: " + e.getMessage();
        }
    }

    private List<Interaction> readRatings(Set<Integer> known, DataIssues issues) {
        Path file = csvDir.resolve("ratings.csv");
        List<Interaction> out = new ArrayList<>();
        CsvFile.read(file, RATINGS_HEADER, issues, row -> {
            if (!fieldCount(file, row, 4, issues)) {
                return;
            }
            String user = row.field(0).strip();
            if (user.isEmpty() || !user.chars().allMatch(Character::isDigit)) {
                issues.report(SkipReason.MALFORMED_LINE, new InvalidDataException(file.toString(), row.line(),
                        row.field(0), "userId is not a non-negative integer"));
                return;
            }
            Integer item = positiveInt(file, row, row.field(1), "movieId", issues);
            if (item == null) {
                return;
            }
            float rating;
            long ts;
            try {
                rating = Float.parseFloat(row.field(2).strip());
            } catch (NumberFormatException e) {
                issues.report(SkipReason.MALFORMED_LINE, new InvalidDataException(file.toString(), row.line(),
                        row.field(2), "rating is not a number"));
                return;
            }
            try {
                ts = Long.parseLong(row.field(3).strip());
            } catch (NumberFormatException e) {
                issues.report(SkipReason.MALFORMED_LINE, new InvalidDataException(file.toString(), row.line(),
                        row.field(3), "timestamp is not an integer number of seconds"));
                return;
            }
            if (ts < MIN_TIMESTAMP || ts > MAX_TIMESTAMP) {
                issues.report(SkipReason.BAD_TIMESTAMP, new InvalidDataException(file.toString(), row.line(),
                        row.field(3), "timestamp " + ts + " is outside the sane range " + MIN_TIMESTAMP + ".."
                        + MAX_TIMESTAMP + " (1970-01-01 to 2100-01-01, in seconds)"));
                return;
            }
            if (!known.contains(item)) {
                issues.report(SkipReason.UNKNOWN_ITEM, new InvalidDataException(file.toString(), row.line(),
                        row.field(1), "movieId " + item + " is not in movies.csv"));
                return;
            }
            out.add(new Interaction(user, item, ts, rating));
        });
        return out;
    }

    static boolean fieldCount(Path file, CsvFile.Row row, int expected, DataIssues issues) {
        if (row.size() == expected) {
            return true;
        }
        String span = row.lines() > 1 ? " (a quoted field spans lines " + row.line() + "-" + row.lastLine()
                + ", all " + row.lines() + " dropped)" : "";
        issues.report(SkipReason.MALFORMED_LINE, new InvalidDataException(file.toString(), row.line(), row.text(),
                "expected " + expected + " comma-separated fields but found " + row.size() + span), row.lines());
        return false;
    }

    static Integer positiveInt(Path file, CsvFile.Row row, String text, String what, DataIssues issues) {
        String s = text.strip();
        try {
            int v = Integer.parseInt(s);
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        issues.report(SkipReason.MALFORMED_LINE, new InvalidDataException(file.toString(), row.line(), text,
                what + " is not a positive integer"));
        return null;
    }

    /** Configures a {@link MovieLensReader}. */
    public static final class Builder {
        private Path root;
        private Path images;
        private boolean imagesGiven;
        private String name = "movielens";
        private boolean imagesOnly;
        private int minInteractions = 10;
        private boolean lenient;

        private Builder() {
        }

        /**
         * The dataset folder (required): either the folder holding {@code ratings.csv}, or a folder holding
         * {@code ml-latest-small/} (and usually {@code posters/}).
         */
        public Builder setRoot(Path root) {
            this.root = root;
            return this;
        }

        /**
         * The image folder of {@code <movieId>.<ext>} files; by default {@code posters/} beside or inside the
         * dataset folder when one exists.
         */
        public Builder optImages(Path images) {
            this.images = images;
            this.imagesGiven = images != null;
            return this;
        }

        /** The dataset name used as catalog name (default {@code movielens}). */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /** Keep only items with an image (default false). */
        public Builder optImagesOnly(boolean imagesOnly) {
            this.imagesOnly = imagesOnly;
            return this;
        }

        /** Drop users with fewer interactions, counted after the images-only filter (default 10). */
        public Builder optMinInteractions(int minInteractions) {
            this.minInteractions = minInteractions;
            return this;
        }

        /** Skip and count bad records instead of failing on the first (default false: strict). */
        public Builder optLenient(boolean lenient) {
            this.lenient = lenient;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the folder or value that is wrong
         */
        public MovieLensReader build() {
            if (root == null) {
                throw new IllegalArgumentException("The MovieLens folder is required (setRoot).");
            }
            if (!Files.isDirectory(root)) {
                throw new IllegalArgumentException("The MovieLens folder " + root + " does not exist.");
            }
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("The dataset name must not be blank.");
            }
            if (minInteractions < 1) {
                throw new IllegalArgumentException("The minimum number of interactions must be at least 1, got "
                        + minInteractions + ".");
            }
            Path csv = Files.exists(root.resolve("ratings.csv")) ? root : root.resolve(SMALL);
            for (String f : List.of("ratings.csv", "movies.csv")) {
                if (!Files.exists(csv.resolve(f))) {
                    throw new IllegalArgumentException("The MovieLens folder " + root + " has no " + f
                            + " (looked in " + csv + ").");
                }
            }
            Path img = images;
            if (imagesGiven) {
                if (!Files.isDirectory(img)) {
                    throw new IllegalArgumentException("The image folder " + img + " does not exist.");
                }
            } else {
                img = null;
                for (Path candidate : List.of(root.resolve(POSTERS), csv.resolve(POSTERS),
                        csv.toAbsolutePath().getParent().resolve(POSTERS))) {
                    if (Files.isDirectory(candidate)) {
                        img = candidate;
                        break;
                    }
                }
            }
            if (imagesOnly && img == null) {
                throw new IllegalArgumentException("Images-only was asked for but " + root
                        + " has no posters/ folder; give the image folder explicitly.");
            }
            return new MovieLensReader(this, csv, img);
        }
    }
}
