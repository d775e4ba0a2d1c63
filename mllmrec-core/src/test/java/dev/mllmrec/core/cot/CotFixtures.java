package dev.mllmrec.core.cot;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.RecommendationSample;
import java.util.List;
import java.util.Map;

/** A tiny movie catalog and samples for the CoT tests. */
public final class CotFixtures {

    private CotFixtures() {
    }

    static Item movie(int id, String title, String... genres) {
        return new Item(id, title, List.of(genres), Map.of(), null);
    }

    /** Twelve movies: horror, comedy, romance, sci-fi clusters. */
    public static Catalog catalog() {
        return Catalog.of("tiny", List.of(
                movie(1, "Toy Story (1995)", "Adventure", "Animation", "Children", "Comedy"),
                movie(2, "Toy Story 2 (1999)", "Adventure", "Animation", "Children", "Comedy"),
                movie(3, "Heat (1995)", "Action", "Crime", "Thriller"),
                movie(4, "Shining, The (1980)", "Horror"),
                movie(5, "Halloween (1978)", "Horror"),
                movie(6, "Exorcist, The (1973)", "Horror", "Mystery"),
                movie(7, "Alien (1979)", "Horror", "Sci-Fi"),
                movie(8, "Notting Hill (1999)", "Comedy", "Romance"),
                movie(9, "Psycho (1960)", "Crime", "Horror"),
                movie(10, "Psycho (1998)", "Crime", "Horror", "Thriller"),
                movie(11, "City of Lost Children, The (Cité des enfants perdus, La) (1995)", "Adventure", "Drama",
                        "Fantasy", "Mystery", "Sci-Fi"),
                movie(12, "When Harry Met Sally... (1989)", "Comedy", "Romance"),
                movie(1995, "Up (2009)", "Adventure", "Animation", "Children", "Drama"),
                movie(300, "Seven (a.k.a. Se7en) (1995)", "Mystery", "Thriller")));
    }

    /** Captions for a few movies. */
    public static Map<Integer, String> captions() {
        return Map.of(
                4, "A dark, eerie poster dominated by black and crimson tones.",
                5, "A black poster with an orange glow and a menacing figure.",
                6, "A shadowy grey street scene with a tense, ominous mood.",
                8, "A bright, cheerful poster in warm pastel pink.");
    }

    /** A horror-heavy history whose target is Halloween (5) among ten candidates. */
    public static RecommendationSample horrorSample() {
        return new RecommendationSample("u1-train-9", "u1", List.of(8, 4, 6, 9, 7), 5,
                List.of(1, 12, 5, 3, 8, 2, 11, 1995, 300, 10).stream().filter(i -> i != 8).toList());
    }
}
