package dev.mllmrec.examples.cli;

import dev.mllmrec.recipe.Recipe;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * The data options that {@code pipeline} and {@code ablation} share ({@code --movielens DIR | --reference DIR} and
 * {@code --name}), and the offline stages both run first on that data: prepare, textualize, build-cot, assess and
 * augment. A picocli mixin.
 *
 * <p>Not thread-safe: picocli fills one instance per invocation.
 */
final class DataSourceOptions {

    /** Where the data comes from: MovieLens with posters, or a text-only folder in the reference format. */
    static final class Source {
        @Option(names = "--movielens", paramLabel = "DIR", required = true,
                description = "The MovieLens folder (ml-latest-small/ and posters/); only movies with a poster "
                        + "are kept.")
        Path movielens;

        @Option(names = "--reference", paramLabel = "DIR", required = true,
                description = "A text-only dataset in the MLLMRec-R1 reference format: train.tsv, test.tsv and "
                        + "<name>_titles.csv (see --name).")
        Path reference;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--name", paramLabel = "NAME", defaultValue = "movielens",
            description = "Dataset name (with --reference: the titles file is <name>_titles.csv). "
                    + "Default: ${DEFAULT-VALUE}.")
    String name;

    /** Whether the data is a text-only reference-format folder (no images, so no captions). */
    boolean textOnly() {
        return source.movielens == null;
    }

    /**
     * The stages that prepare the data in work directory {@code wd}: prepare, textualize, build-cot, assess (TF-IDF
     * when {@code quick}, MiniLM otherwise; the better half kept) and augment for SFT and GRPO.
     */
    List<String[]> offlineStages(String wd, String seed, boolean quick) {
        long s = Long.parseLong(seed);
        return offlineStages(wd, quick ? Recipe.quick(s) : Recipe.recommended(s));
    }

    /**
     * The stages that prepare the data in work directory {@code wd} for {@code recipe}: prepare, textualize, and,
     * when the recipe has reasoning, build-cot, assess and augment for SFT and GRPO as the recipe says.
     */
    List<String[]> offlineStages(String wd, Recipe recipe) {
        String seed = Long.toString(recipe.seed());
        List<String[]> stages = new ArrayList<>();
        stages.add(textOnly()
                ? new String[] {"prepare", "--reference", source.reference.toString(), "--name", name, "--work-dir",
                    wd, "--seed", seed}
                : new String[] {"prepare", "--movielens", source.movielens.toString(), "--name", name, "--work-dir",
                    wd, "--images-only", "--seed", seed});
        stages.add(new String[] {"textualize", "--work-dir", wd});
        if (recipe.reasoning().enabled()) {
            stages.add(new String[] {"build-cot", "--work-dir", wd});
            stages.addAll(RecipeArgs.reasoning(recipe, wd));
        }
        return stages;
    }
}
