package dev.mllmrec.examples;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.UserHistory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Toy data for the examples: 30 films in three genres, 24 users who each watch one genre in order, 12 films each.
 * Replace it with your catalog and your users' histories. Thread-safe: stateless.
 */
public final class ToyData {

    private static final String[] GENRES = {"Comedy", "Drama", "Horror"};

    private ToyData() {
    }

    /** The catalog, every item with its title and genre (and no image). */
    public static Catalog catalog() {
        List<Item> items = new ArrayList<>();
        for (int id = 1; id <= 30; id++) {
            items.add(new Item(id, "Film " + id, List.of(GENRES[id % 3]), Map.of(), null));
        }
        return Catalog.of("toy", items);
    }

    /** Each user's films, oldest first. */
    public static List<UserHistory> histories() {
        List<UserHistory> out = new ArrayList<>();
        for (int u = 0; u < 24; u++) {
            List<Integer> items = new ArrayList<>();
            for (int k = 0; k < 12; k++) {
                items.add(1 + u % 3 + 3 * ((u + k) % 10));
            }
            out.add(new UserHistory("u" + u, items));
        }
        return out;
    }
}
