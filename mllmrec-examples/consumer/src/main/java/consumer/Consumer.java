package consumer;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.api.UserHistory;
import dev.mllmrec.core.rec.PolicyRanker;
import dev.mllmrec.recipe.MllmRec;
import dev.mllmrec.recipe.Recipe;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A project outside the mllmrec build: trains on toy data held in memory, then ranks. */
public final class Consumer {
    public static void main(String[] args) throws Exception {
        List<Item> items = new ArrayList<>();
        for (int id = 1; id <= 30; id++) {
            items.add(new Item(id, "Movie " + id, List.of(id % 2 == 0 ? "Drama" : "Comedy"), Map.of(), null));
        }
        List<UserHistory> users = new ArrayList<>();
        for (int u = 0; u < 24; u++) {
            List<Integer> seq = new ArrayList<>();
            for (int k = 0; k < 12; k++) {
                seq.add(1 + u % 3 + 3 * ((u + k) % 10));
            }
            users.add(new UserHistory("u" + u, seq));
        }
        MllmRec.Result result = MllmRec.builder().setCatalog(Catalog.of("toy", items)).setHistories(users)
                .setWorkDir(Files.createTempDirectory("mllmrec")).optRecipe(Recipe.tiny()).build().train();
        try (PolicyRanker ranker = result.ranker()) {
            Ranking r = ranker.rank(new RankingRequest("u1", List.of(2, 5, 8, 11, 14), List.of(3, 6, 9, 17, 20)));
            System.out.println("consumer ranked " + r.ids() + " with " + ranker.provenance().checkpoint());
        }
    }
}
