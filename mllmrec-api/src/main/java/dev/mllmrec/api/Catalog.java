package dev.mllmrec.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * An immutable set of items indexed by id, iterated in ascending id order.
 *
 * <p>Thread-safe: instances are immutable.
 */
public final class Catalog {

    private final String name;
    private final Map<Integer, Item> byId;
    private final List<Item> items;
    private final int[] ids;

    private Catalog(String name, List<Item> sorted) {
        this.name = name;
        Map<Integer, Item> map = new LinkedHashMap<>();
        for (Item item : sorted) {
            if (map.put(item.id(), item) != null) {
                throw new IllegalArgumentException("Catalog '" + name + "' has item id " + item.id() + " twice.");
            }
        }
        this.byId = Collections.unmodifiableMap(map);
        this.items = List.copyOf(sorted);
        this.ids = sorted.stream().mapToInt(Item::id).toArray();
    }

    /**
     * Builds a catalog; the items are sorted by id.
     *
     * @throws IllegalArgumentException if two items share an id
     */
    public static Catalog of(String name, Collection<Item> items) {
        List<Item> sorted = new ArrayList<>(items);
        sorted.sort((a, b) -> Integer.compare(a.id(), b.id()));
        return new Catalog(name, sorted);
    }

    /** The dataset name, for example {@code movielens}. */
    public String name() {
        return name;
    }

    /** The number of items. */
    public int size() {
        return items.size();
    }

    /** Whether {@code id} is in the catalog. */
    public boolean contains(int id) {
        return byId.containsKey(id);
    }

    /**
     * The item with this id.
     *
     * @throws NoSuchElementException naming the id when it is unknown
     */
    public Item get(int id) {
        Item item = byId.get(id);
        if (item == null) {
            throw new NoSuchElementException("Item id " + id + " is not in catalog '" + name + "'.");
        }
        return item;
    }

    /** The item with this id, or {@code null}. */
    public Item find(int id) {
        return byId.get(id);
    }

    /** All items in ascending id order. */
    public List<Item> items() {
        return items;
    }

    /** All ids in ascending order (a fresh copy). */
    public int[] ids() {
        return ids.clone();
    }

    /** The id at {@code index} in ascending id order. */
    public int idAt(int index) {
        return ids[index];
    }

    /** A catalog holding only the items {@code keep} accepts. */
    public Catalog filter(java.util.function.Predicate<Item> keep) {
        List<Item> kept = new ArrayList<>();
        for (Item item : items) {
            if (keep.test(item)) {
                kept.add(item);
            }
        }
        return new Catalog(name, kept);
    }

    @Override
    public String toString() {
        return "Catalog[" + name + ", " + items.size() + " items]";
    }
}
