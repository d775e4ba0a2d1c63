package dev.mllmrec.core.data;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.InvalidDataException;
import dev.mllmrec.api.Item;
import dev.mllmrec.core.text.PromptText;
import dev.mllmrec.api.UserHistory;
import dev.mllmrec.core.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The file format of the MLLMRec-R1 reference implementation (Python), read and written:
 *
 * <pre>
 * train.tsv            user_id&lt;TAB&gt;item item item ...   (one user per line, oldest item first, no header)
 * test.tsv             same layout
 * &lt;name&gt;_titles.csv    header "item,title", one item per line (RFC 4180 quoting, as pandas writes it)
 * </pre>
 *
 * <p>The reference takes the last {@code history + 1} items of each line of a file as one sample (history and
 * target). {@link #export} therefore writes each user's full sequence to {@code test.tsv} and the sequence without
 * its last item to {@code train.tsv}, so the reference's train sample is our validation sample and its test sample
 * is ours.
 *
 * <p>Thread-safe: stateless.
 */
public final class ReferenceFormat {

    /** The reference training file. */
    public static final String TRAIN = "train.tsv";
    /** The reference test file. */
    public static final String TEST = "test.tsv";
    /** The header of the titles file. */
    public static final List<String> TITLES_HEADER = List.of("item", "title");

    private ReferenceFormat() {
    }

    /** {@code <name>_titles.csv}. */
    public static String titlesFileName(String name) {
        return name + "_titles.csv";
    }

    /** Writes sequences as {@code user<TAB>item item ...} lines, atomically. */
    public static void writeSequences(Path file, List<UserHistory> sequences) {
        StringBuilder sb = new StringBuilder();
        for (UserHistory h : sequences) {
            if (h.userId().isEmpty() || h.userId().chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("User id '" + h.userId()
                        + "' cannot be written to a TSV file: it is empty or holds white space.");
            }
            sb.append(h.userId()).append('\t');
            for (int i = 0; i < h.items().size(); i++) {
                sb.append(i == 0 ? "" : " ").append(h.items().get(i));
            }
            sb.append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    /**
     * Reads {@code user<TAB>item item ...} lines in file order. Items must be positive integers and, when
     * {@code catalog} is given, known to it. A user listed twice is malformed.
     */
    public static List<UserHistory> readSequences(Path file, Catalog catalog, DataIssues issues) {
        Map<String, UserHistory> out = new LinkedHashMap<>();
        TextLines.read(file, issues, (lineNo, text) -> {
            if (text.isBlank()) {
                return;
            }
            int tab = text.indexOf('\t');
            if (tab <= 0 || text.indexOf('\t', tab + 1) >= 0) {
                issues.report(SkipReason.MALFORMED_LINE, new InvalidDataException(file.toString(), lineNo, text,
                        "expected 'user_id<TAB>item item ...' with exactly one tab"));
                return;
            }
            String user = text.substring(0, tab).strip();
            String rest = text.substring(tab + 1).strip();
            List<Integer> items = new ArrayList<>();
            if (!rest.isEmpty()) {
                for (String tok : rest.split("\\s+")) {
                    int id;
                    try {
                        id = Integer.parseInt(tok);
                    } catch (NumberFormatException e) {
                        id = -1;
                    }
                    if (id <= 0) {
                        issues.report(SkipReason.MALFORMED_LINE, new InvalidDataException(file.toString(), lineNo,
                                tok, "item id is not a positive integer"));
                        return;
                    }
                    if (catalog != null && !catalog.contains(id)) {
                        issues.report(SkipReason.UNKNOWN_ITEM, new InvalidDataException(file.toString(), lineNo,
                                tok, "item " + id + " is not in the titles file"));
                        continue;
                    }
                    items.add(id);
                }
            }
            if (user.isEmpty() || out.containsKey(user)) {
                issues.report(SkipReason.MALFORMED_LINE, new InvalidDataException(file.toString(), lineNo, user,
                        user.isEmpty() ? "the user id is empty" : "user " + user + " is listed twice"));
                return;
            }
            out.put(user, new UserHistory(user, items));
        });
        return List.copyOf(out.values());
    }

    /** Writes {@code item,title} for every catalog item, in id order, atomically. */
    public static void writeTitles(Path file, Catalog catalog) {
        StringBuilder sb = new StringBuilder(String.join(",", TITLES_HEADER)).append('\n');
        for (Item item : catalog.items()) {
            sb.append(item.id()).append(',').append(CsvFile.quote(item.title())).append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    /**
     * Reads a titles file: a header row, then item id and title in the first two columns (further columns are
     * ignored, as the reference does).
     */
    public static Catalog readTitles(Path file, String name, DataIssues issues) {
        Map<Integer, Item> items = new TreeMap<>();
        CsvFile.read(file, null, issues, row -> {
            if (row.size() < 2) {
                issues.report(SkipReason.MALFORMED_LINE, new InvalidDataException(file.toString(), row.line(),
                        row.text(), "expected at least the two fields item,title"));
                return;
            }
            Integer id = MovieLensReader.positiveInt(file, row, row.field(0), "item", issues);
            if (id == null) {
                return;
            }
            String title = issues.normalise(file, "title", row.field(1), PromptText.Kind.TITLE);
            if (title.isBlank()) {
                issues.report(SkipReason.MALFORMED_LINE, new InvalidDataException(file.toString(), row.line(),
                        row.text(), "item " + id + " has a blank title"));
                return;
            }
            if (items.containsKey(id)) {
                issues.report(SkipReason.DUPLICATE_ITEM, new InvalidDataException(file.toString(), row.line(),
                        row.field(0), "item " + id + " is defined twice"));
                return;
            }
            items.put(id, Item.of(id, title));
        });
        return Catalog.of(name, items.values());
    }

    /**
     * Writes a dataset in the reference layout into {@code dir}: {@code train.tsv} (each sequence without its last
     * item), {@code test.tsv} (full sequences) and {@code <name>_titles.csv}.
     */
    public static void export(Path dir, Catalog catalog, List<UserHistory> sequences) {
        List<UserHistory> train = sequences.stream()
                .map(h -> new UserHistory(h.userId(), h.items().subList(0, Math.max(0, h.size() - 1))))
                .toList();
        writeSequences(dir.resolve(TRAIN), train);
        writeSequences(dir.resolve(TEST), sequences);
        writeTitles(dir.resolve(titlesFileName(catalog.name())), catalog);
    }

    /**
     * Reads a reference-format folder as a dataset. Each user's sequence is taken from {@code test.tsv} when the
     * user is listed there, else from {@code train.tsv}; either file may be absent but not both. The catalog holds
     * every item of the titles file (the reference samples negatives from all of them).
     *
     * @param name            the dataset name: the titles file is {@code <name>_titles.csv}
     * @param minInteractions users with fewer items are dropped
     * @param lenient         skip and count bad records instead of failing
     */
    public static Dataset read(Path dir, String name, int minInteractions, boolean lenient) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("The reference-format folder " + dir + " does not exist.");
        }
        if (minInteractions < 1) {
            throw new IllegalArgumentException("The minimum number of interactions must be at least 1, got "
                    + minInteractions + ".");
        }
        Path titles = dir.resolve(titlesFileName(name));
        if (!Files.exists(titles)) {
            throw new IllegalArgumentException("The reference-format folder " + dir + " has no "
                    + titlesFileName(name) + ".");
        }
        Path train = dir.resolve(TRAIN);
        Path test = dir.resolve(TEST);
        if (!Files.exists(train) && !Files.exists(test)) {
            throw new IllegalArgumentException("The reference-format folder " + dir + " has neither " + TRAIN
                    + " nor " + TEST + ".");
        }
        DataIssues issues = DataIssues.of(lenient);
        Catalog catalog = readTitles(titles, name, issues);
        Map<String, UserHistory> byUser = new HashMap<>();
        long read = 0;
        if (Files.exists(train)) {
            for (UserHistory h : readSequences(train, catalog, issues)) {
                byUser.put(h.userId(), h);
            }
        }
        if (Files.exists(test)) {
            for (UserHistory h : readSequences(test, catalog, issues)) {
                byUser.put(h.userId(), h);
            }
        }
        for (UserHistory h : byUser.values()) {
            read += h.size();
        }
        Map<Integer, Item> items = new LinkedHashMap<>();
        catalog.items().forEach(i -> items.put(i.id(), i));
        return DatasetAssembler.assemble(name, items, Sequences.sortedByUser(List.copyOf(byUser.values())), read,
                false, minInteractions, false, 0, 0, issues);
    }
}
