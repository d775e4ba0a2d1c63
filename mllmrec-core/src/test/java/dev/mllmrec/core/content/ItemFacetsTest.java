package dev.mllmrec.core.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.Item;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ItemFacetsTest {

    @Test
    void attributesAreAUnitLengthGenreMultiHotAndDecadeOneHot() {
        List<Item> items = List.of(
                new Item(1, "Heat (1995)", List.of("Crime", "Action"), Map.of(), null),
                new Item(2, "Up (2009)", List.of("Animation"), Map.of(), null),
                new Item(3, "No year", List.of(), Map.of(), null));
        float[][] f = ItemFacets.attributes(items);
        // Columns: Action, Animation, Crime (sorted), then the decades 199x, 200x.
        float h = (float) (1 / Math.sqrt(3));
        assertThat(f[0]).containsExactly(new float[] {h, 0, h, h, 0}, within(1e-6f));
        float r = (float) (1 / Math.sqrt(2));
        assertThat(f[1]).containsExactly(new float[] {0, r, 0, 0, r}, within(1e-6f));
        assertThat(f[2]).containsExactly(0, 0, 0, 0, 0);
        assertThat(ItemFacets.year("Seven (a.k.a. Se7en) (1995) ")).isEqualTo(1995);
        assertThat(ItemFacets.year("1984")).isNull();
    }

    @Test
    void postersAreStandardisedMeasurementsAndTheShuffledControlMovesThemBetweenItems(@TempDir Path dir)
            throws Exception {
        List<Item> items = List.of(poster(dir, 1, 0xE02020), poster(dir, 2, 0x2040E0), poster(dir, 3, 0x202020),
                new Item(4, "No poster", List.of(), Map.of(), null));
        Catalog catalog = Catalog.of("m", items);
        Set<Integer> withImage = Set.of(1, 2, 3);
        Map<Integer, Integer> own = ItemContentTexts.donors(catalog, withImage, ItemContentSource.CAPTIONS, 7);
        assertThat(own).containsExactlyInAnyOrderEntriesOf(Map.of(1, 1, 2, 2, 3, 3));
        float[][] real = ItemFacets.posters(items, catalog, own);
        for (int i = 0; i < 3; i++) {
            double norm = 0;
            for (float x : real[i]) {
                norm += x * x;
            }
            assertThat(norm).isCloseTo(1.0, within(1e-5));
        }
        assertThat(real[0]).isNotEqualTo(real[1]);
        assertThat(real[3]).containsOnly(0f);
        // Brightness is the first column: the dark poster is the darkest after standardisation.
        assertThat(real[2][0]).isLessThan(real[0][0]).isLessThan(0f);

        Map<Integer, Integer> shuffled = ItemContentTexts.donors(catalog, withImage,
                ItemContentSource.SHUFFLED_CAPTIONS, 7);
        assertThat(shuffled.keySet()).containsExactlyInAnyOrder(1, 2, 3);
        assertThat(Set.copyOf(shuffled.values())).containsExactlyInAnyOrder(1, 2, 3);
        shuffled.forEach((id, donor) -> assertThat(donor).isNotEqualTo(id));
        float[][] moved = ItemFacets.posters(items, catalog, shuffled);
        for (int i = 0; i < 3; i++) {
            assertThat(moved[i]).containsExactly(real[shuffled.get(items.get(i).id()) - 1]);
        }
        assertThat(ItemContentTexts.donors(catalog, withImage, ItemContentSource.TEXT, 7)).isEmpty();
    }

    @Test
    void anUnreadablePosterIsNamedInTheError(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.jpg");
        Files.writeString(bad, "not an image");
        Item item = new Item(5, "Broken (2000)", List.of(), Map.of(), bad.toString());
        assertThatThrownBy(() -> ItemFacets.posters(List.of(item), Catalog.of("m", List.of(item)), Map.of(5, 5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad.toString());
    }

    @Test
    void blocksAreConcatenatedRowByRow() {
        float[][] a = {{1, 2}, {3, 4}};
        float[][] b = {{5}, {6}};
        assertThat(ItemFacets.concat(List.of(a, b))).isDeepEqualTo(new float[][] {{1, 2, 5}, {3, 4, 6}});
        assertThatThrownBy(() -> ItemFacets.concat(List.of(a, new float[][] {{1}})))
                .hasMessageContaining("2 and 1 rows");
    }

    /** An item whose poster is a 60x90 PNG of one colour with a lighter band across its top. */
    private static Item poster(Path dir, int id, int rgb) throws Exception {
        BufferedImage img = new BufferedImage(60, 90, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 90; y++) {
            for (int x = 0; x < 60; x++) {
                img.setRGB(x, y, y < 20 ? (rgb | 0x808080) : rgb);
            }
        }
        Path file = dir.resolve(id + ".png");
        ImageIO.write(img, "png", file.toFile());
        return new Item(id, "Poster " + id + " (2001)", List.of("Drama"), Map.of(), file.toString());
    }
}
