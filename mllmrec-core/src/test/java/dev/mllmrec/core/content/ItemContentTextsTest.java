package dev.mllmrec.core.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.Item;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Item texts are the same whatever order an item's attributes came in, so content vectors are reproducible. */
class ItemContentTextsTest {

    @Test
    void anItemsTextDoesNotDependOnTheOrderOfItsAttributesAndLeavesOutIdentifiers() {
        Map<String, String> sourceOrder = new LinkedHashMap<>();
        sourceOrder.put("tmdbId", "862");
        sourceOrder.put("imdbId", "0114709");
        sourceOrder.put("era", "90s");
        sourceOrder.put("director", "John Lasseter");
        Map<String, String> otherOrder = new LinkedHashMap<>();
        otherOrder.put("director", "John Lasseter");
        otherOrder.put("imdbId", "0114709");
        otherOrder.put("era", "90s");
        otherOrder.put("tmdbId", "862");
        Item a = new Item(1, "Toy Story (1995)", List.of("Animation", "Comedy"), sourceOrder, null);
        Item b = new Item(1, "Toy Story (1995)", List.of("Animation", "Comedy"), otherOrder, null);
        // Map.copyOf's order changes from one JVM to the next; a many-key Map.of would show it within a few runs.
        Item c = new Item(1, "Toy Story (1995)", List.of("Animation", "Comedy"),
                Map.of("tmdbId", "862", "imdbId", "0114709", "director", "John Lasseter", "era", "90s"), null);
        // The identifiers are left out; the other attributes follow the genres in key order.
        String expected = "Toy Story (1995). Genres: Animation, Comedy. director: John Lasseter. era: 90s";
        for (Item item : List.of(a, b, c)) {
            assertThat(item.attributes().keySet()).containsExactly("director", "era", "imdbId", "tmdbId");
            assertThat(ItemContentTexts.texts(Catalog.of("m", List.of(item))))
                    .containsExactly(Map.entry(1, expected));
        }
        assertThat(a).isEqualTo(b).isEqualTo(c);
    }

    @Test
    void identifierAttributesAreTheKeysEndingInTheWordId() {
        for (String key : List.of("id", "ID", "imdbId", "tmdbID", "asin_id", "product-id", "item id", " movieId ")) {
            assertThat(ItemContentTexts.isIdentifier(key)).as(key).isTrue();
        }
        for (String key : List.of("paid", "valid", "PAID", "VALID", "idea", "kind", "identity", "director", "genre")) {
            assertThat(ItemContentTexts.isIdentifier(key)).as(key).isFalse();
        }
    }

    @Test
    void aNullAttributeIsRejectedNamingTheItem() {
        Map<String, String> bad = new HashMap<>();
        bad.put("imdbId", null);
        assertThatThrownBy(() -> new Item(7, "X", List.of(), bad, null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("Item 7");
    }
}
