package dev.mllmrec.core.data;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.UserHistory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The filters shared by the dataset readers: images-only, then minimum interactions, then the catalog. */
final class DatasetAssembler {

    private DatasetAssembler() {
    }

    static Dataset assemble(String name, Map<Integer, Item> items, List<UserHistory> sequences, long interactionsRead,
                            boolean imagesOnly, int minInteractions, boolean restrictCatalog, long itemsWithImage,
                            long imageFilesIgnored, DataIssues issues) {
        long withoutImage = 0;
        List<UserHistory> kept = new ArrayList<>(sequences.size());
        long usersBelow = 0;
        long interactions = 0;
        Set<Integer> used = new HashSet<>();
        for (UserHistory h : sequences) {
            List<Integer> seq = h.items();
            if (imagesOnly) {
                List<Integer> filtered = seq.stream().filter(id -> items.get(id).hasImage()).toList();
                withoutImage += seq.size() - filtered.size();
                seq = filtered;
            }
            if (seq.size() < minInteractions) {
                usersBelow++;
                continue;
            }
            kept.add(seq == h.items() ? h : new UserHistory(h.userId(), seq));
            interactions += seq.size();
            used.addAll(seq);
        }
        List<Item> catalogItems = new ArrayList<>();
        for (Item item : items.values()) {
            if (restrictCatalog ? used.contains(item.id()) : (!imagesOnly || item.hasImage())) {
                catalogItems.add(item);
            }
        }
        Catalog catalog = Catalog.of(name, catalogItems);
        DataStats stats = new DataStats(items.size(), interactionsRead, itemsWithImage, withoutImage,
                sequences.size(), usersBelow, imageFilesIgnored, kept.size(), catalog.size(), interactions,
                issues.counts(), issues.examples(), issues.dropped(), issues.droppedExamples(),
                issues.normalised());
        return new Dataset(catalog, Sequences.sortedByUser(kept), stats);
    }
}
