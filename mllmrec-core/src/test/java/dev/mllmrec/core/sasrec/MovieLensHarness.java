package dev.mllmrec.core.sasrec;

import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.api.ScoredItem;
import dev.mllmrec.api.UserHistory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * SASRec's own measurement on the MovieLens posters subset, independent of the data pipeline: movies with a poster,
 * users with at least 10 interactions, each user sorted by (timestamp, movieId); last item = test, second to last =
 * validation, the rest = training; requests show the 9 items before the target and 9 (or 99) uniform negatives.
 *
 * <p>Run as a program ({@code main}, arguments {@code key=value} overriding {@link SasRecConfig} fields, plus
 * {@code earlyStop=<patience>}), or through {@link SasRecMovieLensTest} with {@code -Dmllmrec.slow=true}.
 */
public final class MovieLensHarness {

    static final int HISTORY = 9;
    static final long EVAL_SEED = 2026L;

    /** The filtered data: each user's full sequence and the kept catalog. */
    record Data(List<UserHistory> sequences, Set<Integer> catalog, int interactions) {
    }

    /** What one run measured. */
    record Report(Map<String, Double> test9, Map<String, Double> test99, Map<String, Double> popularity9,
                  double seconds, int steps, long params, int bestEpoch) {
    }

    private MovieLensHarness() {
    }

    static Path sharedDir() {
        return Path.of(System.getProperty("mllmrec.shared.dir", "../shared"));
    }

    static Data load(Path shared) {
        Path ml = shared.resolve("data/movielens/ml-latest-small");
        Path posters = shared.resolve("data/movielens/posters");
        Set<Integer> movies = new HashSet<>();
        try (BufferedReader r = Files.newBufferedReader(ml.resolve("movies.csv"))) {
            r.readLine();
            String line;
            while ((line = r.readLine()) != null) {
                int id = Integer.parseInt(line.substring(0, line.indexOf(',')));
                if (Files.isRegularFile(posters.resolve(id + ".jpg"))) {
                    movies.add(id);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, List<long[]>> byUser = new TreeMap<>();
        try (BufferedReader r = Files.newBufferedReader(ml.resolve("ratings.csv"))) {
            r.readLine();
            String line;
            while ((line = r.readLine()) != null) {
                String[] f = line.split(",");
                int movie = Integer.parseInt(f[1]);
                if (movies.contains(movie)) {
                    byUser.computeIfAbsent(f[0], k -> new ArrayList<>())
                            .add(new long[] {Long.parseLong(f[3]), movie});
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<UserHistory> sequences = new ArrayList<>();
        Set<Integer> catalog = new TreeSet<>();
        int interactions = 0;
        for (Map.Entry<String, List<long[]>> e : byUser.entrySet()) {
            List<long[]> events = e.getValue();
            if (events.size() < 10) {
                continue;
            }
            events.sort(Comparator.<long[]>comparingLong(a -> a[0]).thenComparingLong(a -> a[1]));
            List<Integer> items = events.stream().map(a -> (int) a[1]).toList();
            sequences.add(new UserHistory(e.getKey(), items));
            catalog.addAll(items);
            interactions += items.size();
        }
        return new Data(sequences, catalog, interactions);
    }

    /** Ranks by training-prefix popularity, ties by ascending id: the sanity baseline. */
    static List<Ranking> popularity(List<UserHistory> train, List<RecommendationSample> samples) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (UserHistory h : train) {
            for (int i : h.items()) {
                counts.merge(i, 1, Integer::sum);
            }
        }
        List<Ranking> out = new ArrayList<>();
        for (RecommendationSample s : samples) {
            List<ScoredItem> scored = new ArrayList<>();
            for (int c : s.candidates()) {
                scored.add(new ScoredItem(c, counts.getOrDefault(c, 0)));
            }
            scored.sort(Comparator.comparingDouble(ScoredItem::score).reversed()
                    .thenComparingInt(ScoredItem::itemId));
            out.add(new Ranking(s.userId(), scored));
        }
        return out;
    }

    static List<RankingRequest> requests(List<RecommendationSample> samples) {
        return samples.stream().map(RecommendationSample::request).toList();
    }

    /** Trains with {@code config} (early stopping on validation HR@3 when {@code patience > 0}) and measures. */
    static Report run(Data data, SasRecConfig config, int patience) {
        List<UserHistory> train = HoldOut.prefixes(data.sequences(), 2);
        List<RecommendationSample> validation = HoldOut.samples(data.sequences(), HoldOut.VALIDATION, HISTORY, 9,
                data.catalog(), EVAL_SEED);
        List<RecommendationSample> test9 = HoldOut.samples(data.sequences(), HoldOut.TEST, HISTORY, 9,
                data.catalog(), EVAL_SEED);
        List<RecommendationSample> test99 = HoldOut.samples(data.sequences(), HoldOut.TEST, HISTORY, 99,
                data.catalog(), EVAL_SEED);
        SasRecTrainer.Builder builder = SasRecTrainer.builder().optConfig(config)
                .optValidator((model, epoch) -> {
                    Map<String, Double> m = HoldOut.metrics(validation,
                            new SasRecRecommender(model).rankAll(requests(validation)));
                    System.err.printf(Locale.ROOT, "epoch %d validation HR@1 %.4f HR@3 %.4f NDCG@3 %.4f%n", epoch,
                            m.get("HR@1"), m.get("HR@3"), m.get("NDCG@3"));
                    return m;
                });
        if (patience > 0) {
            builder.optEarlyStopping("HR@3", patience);
        }
        SasRecTrainingResult result = builder.build().train(train, data.catalog());
        try (SasRecModel model = result.model()) {
            SasRecRecommender rec = new SasRecRecommender(model);
            Map<String, Double> m9 = HoldOut.metrics(test9, rec.rankAll(requests(test9)));
            Map<String, Double> m99 = HoldOut.metrics(test99, rec.rankAll(requests(test99)));
            Map<String, Double> pop = HoldOut.metrics(test9, popularity(train, test9));
            Object best = model.provenance().get("best_epoch");
            return new Report(m9, m99, pop, result.seconds(), result.steps(), model.parameterCount(),
                    best == null ? result.epochs().size() : ((Number) best).intValue());
        }
    }

    static SasRecConfig parse(String[] args, Map<String, String> extra) {
        SasRecConfig.Builder b = SasRecConfig.builder();
        for (String a : args) {
            String[] kv = a.split("=", 2);
            String v = kv[1];
            switch (kv[0]) {
                case "maxLength" -> b.optMaxLength(Integer.parseInt(v));
                case "hiddenSize" -> b.optHiddenSize(Integer.parseInt(v));
                case "blocks" -> b.optBlocks(Integer.parseInt(v));
                case "heads" -> b.optHeads(Integer.parseInt(v));
                case "dropout" -> b.optDropout(Float.parseFloat(v));
                case "learningRate" -> b.optLearningRate(Float.parseFloat(v));
                case "l2" -> b.optL2(Float.parseFloat(v));
                case "batchSize" -> b.optBatchSize(Integer.parseInt(v));
                case "epochs" -> b.optEpochs(Integer.parseInt(v));
                case "windowStride" -> b.optWindowStride(Integer.parseInt(v));
                case "windowsPerUser" -> b.optWindowsPerUser(Integer.parseInt(v));
                case "cosineDecay" -> b.optCosineDecay(Boolean.parseBoolean(v));
                case "negatives" -> b.optNegatives(Integer.parseInt(v));
                case "seed" -> b.optSeed(Long.parseLong(v));
                default -> extra.put(kv[0], v);
            }
        }
        return b.build();
    }

    static String format(Map<String, Double> m) {
        Map<String, String> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, k.equals("count") ? String.valueOf(v.intValue())
                : String.format(Locale.ROOT, "%.4f", v)));
        return out.toString();
    }

    /** Runs one configuration and prints its report. */
    public static void main(String[] args) {
        Map<String, String> extra = new HashMap<>();
        SasRecConfig config = parse(args, extra);
        int patience = Integer.parseInt(extra.getOrDefault("earlyStop", "0"));
        Data data = load(sharedDir());
        System.out.printf(Locale.ROOT, "data: %d users, %d items, %d interactions%n", data.sequences().size(),
                data.catalog().size(), data.interactions());
        System.out.println("config: " + config + (patience > 0 ? " earlyStop=" + patience : ""));
        Report r = run(data, config, patience);
        System.out.printf(Locale.ROOT, "params %d, steps %d, best epoch %d, %.1f s%n", r.params(), r.steps(),
                r.bestEpoch(), r.seconds());
        System.out.println("test  9 neg: " + format(r.test9()));
        System.out.println("test 99 neg: " + format(r.test99()));
        System.out.println("popularity 9 neg: " + format(r.popularity9()));
    }
}
