package dev.mllmrec.core.data;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.UserHistory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A loaded dataset: the catalog and every kept user's full chronological sequence.
 *
 * @param catalog   the items (named after the dataset, for example {@code movielens})
 * @param sequences each user's item ids, oldest first, users in {@link Sequences#USER_ORDER}
 * @param stats     what was read, filtered and skipped
 */
public record Dataset(Catalog catalog, List<UserHistory> sequences, DataStats stats) {

    /** Validates and copies. */
    public Dataset {
        Objects.requireNonNull(catalog, "catalog");
        sequences = List.copyOf(sequences);
    }

    /**
     * A dataset from data held in memory: users with fewer than {@code minInteractions} items are left out (as the
     * readers do), the catalog is kept whole.
     *
     * @param catalog         the items, named after the dataset
     * @param histories       each user's item ids, oldest first, every id in {@code catalog}
     * @param minInteractions the fewest items a kept user has (the reference uses 10)
     * @throws dev.mllmrec.api.InvalidDataException naming the user and the item when a history holds an id the
     *                                              catalog lacks
     */
    public static Dataset of(Catalog catalog, List<UserHistory> histories, int minInteractions) {
        Objects.requireNonNull(catalog, "catalog");
        Objects.requireNonNull(histories, "histories");
        java.util.Map<Integer, Item> items = new java.util.LinkedHashMap<>();
        for (Item item : catalog.items()) {
            items.put(item.id(), item);
        }
        long interactions = 0;
        java.util.Set<String> users = new java.util.HashSet<>();
        for (UserHistory h : histories) {
            if (!users.add(h.userId())) {
                throw new dev.mllmrec.api.InvalidDataException("histories", 0, h.userId(),
                        "user " + h.userId() + " has two histories; give each user one");
            }
            for (int id : h.items()) {
                if (!items.containsKey(id)) {
                    throw new dev.mllmrec.api.InvalidDataException("histories", 0, Integer.toString(id),
                            "user " + h.userId() + " has item " + id + ", which is not in catalog " + catalog.name());
                }
            }
            interactions += h.items().size();
        }
        long withImage = catalog.items().stream().filter(Item::hasImage).count();
        return DatasetAssembler.assemble(catalog.name(), items, histories, interactions, false, minInteractions,
                false, withImage, 0, DataIssues.strict());
    }

    /** The dataset name. */
    public String name() {
        return catalog.name();
    }

    /** The fingerprint of this dataset's content, see {@link #fingerprint(Catalog, List)}. */
    public String fingerprint() {
        return fingerprint(catalog, sequences);
    }

    /**
     * A SHA-256 over item ids, titles and every sequence (not over file paths), so that the same data read from
     * another folder has the same fingerprint and any change to ids, titles or order gives another.
     */
    public static String fingerprint(Catalog catalog, List<UserHistory> sequences) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available.", e);
        }
        for (Item item : catalog.items()) {
            sha.update(("item\t" + item.id() + "\t" + item.title() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        StringBuilder sb = new StringBuilder();
        for (UserHistory h : sequences) {
            sb.setLength(0);
            sb.append("user\t").append(h.userId()).append('\t');
            for (int i = 0; i < h.items().size(); i++) {
                sb.append(i == 0 ? "" : " ").append(h.items().get(i));
            }
            sb.append('\n');
            sha.update(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
