package dev.mllmrec.examples;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.VisualTextualizer;
import dev.mllmrec.core.content.ItemContentSource;
import dev.mllmrec.recipe.MllmRec;
import dev.mllmrec.recipe.Recipe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Plugs your own image captioner into training: a {@link VisualTextualizer} turns each item image into a caption
 * once, offline, and the policy's item content is made of the title, the genres and that caption. Here the
 * "captioner" only reports the image's size (swap in a vision model behind the same interface). Usage:
 * {@code CustomTextualizer WORK_DIR [--tiny]}.
 */
public final class CustomTextualizer {

    private CustomTextualizer() {
    }

    /** A captioner: id and version are recorded with every caption; a new version captions again. */
    static final class SizeTextualizer implements VisualTextualizer {
        @Override
        public String id() {
            return "size-example";
        }

        @Override
        public String version() {
            return "1";
        }

        @Override
        public String describe(Item item, byte[] image) {
            return image.length > 64 ? "a large bright poster" : "a small dark poster";
        }
    }

    /** Runs the example. */
    public static void main(String[] args) throws IOException {
        Path workDir = Path.of(args.length > 0 ? args[0] : "work-captions");
        Path images = Files.createDirectories(workDir.resolve("images"));
        List<Item> items = new ArrayList<>();
        for (Item item : ToyData.catalog().items()) {               // give every toy item an image file
            Path file = images.resolve(item.id() + ".png");
            Files.write(file, new byte[item.id() * 4]);
            items.add(new Item(item.id(), item.title(), item.genres(), item.attributes(), file.toString()));
        }
        // The toy "images" are zero bytes, not pictures: leave out the item facets, which with captions would also
        // measure each poster's pixels (and name the first file that does not decode).
        Recipe recipe = (args.length > 1 && args[1].equals("--tiny") ? Recipe.tiny() : Recipe.recommended())
                .withItemContent(ItemContentSource.CAPTIONS).withItemFacets(false);
        MllmRec.Result result = MllmRec.builder()
                .setCatalog(Catalog.of("toy", items))
                .setHistories(ToyData.histories())
                .setWorkDir(workDir)
                .optTextualizer(new SizeTextualizer())
                .optRecipe(recipe)
                .build()
                .train();
        System.out.println("captions in " + workDir.resolve("captions.jsonl") + "; SFT item content "
                + result.sft().get("item_content"));
    }
}
