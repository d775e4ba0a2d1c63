package dev.mllmrec.core.cot.assess;

import dev.mllmrec.api.Assessment;
import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.CotTrace;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.cot.CotParser;
import dev.mllmrec.core.cot.ItemAttributes;
import dev.mllmrec.core.embed.TextEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Scores a reasoning text by how well it retrieves the target among the sample's candidates: the query (the Step-3
 * criteria, or the whole text) and each candidate's text ({@link ItemAttributes#candidateText}: title, genres,
 * decade, caption) are encoded with a {@link TextEncoder}, and candidates are ranked by cosine similarity.
 *
 * <p>With {@code n} candidates, the target's 0-based rank {@code r} (ties count one half) and its margin
 * {@code m} = sim(target) − max sim(other candidate), the score is
 * <pre>  score = ((n − 1 − r) + σ(m / τ)) / n,   τ = {@value #MARGIN_TEMPERATURE}</pre>
 * so it lies in (0, 1), orders traces by rank first (each rank owns a band of width 1/n) and by margin within a
 * rank, and is 0.5 on average for a query unrelated to every candidate. The scores map also holds
 * {@code retrieval.rank} (1-based), {@code retrieval.margin} and {@code retrieval.similarity}.
 *
 * <p>Candidate embeddings are cached per item id, query embeddings per distinct text (up to
 * {@value #QUERY_CACHE_SIZE}). Thread-safe when the encoder is.
 */
public final class RetrievalAgreementAssessor implements BatchConfidenceAssessor {

    /** At most this many query embeddings are cached (the cache is emptied when full). */
    public static final int QUERY_CACHE_SIZE = 100_000;

    /** The margin temperature τ. */
    public static final double MARGIN_TEMPERATURE = 0.05;

    /** What text of the trace is the query. */
    public enum Query {
        /** Step 3 (the retrieval criteria) when the trace is valid, else the whole text. */
        CRITERIA,
        /** The whole text. */
        FULL
    }

    private final Catalog catalog;
    private final Map<Integer, String> captions;
    private final TextEncoder encoder;
    private final Query query;
    private final Map<Integer, float[]> itemCache = new ConcurrentHashMap<>();
    private final Map<String, float[]> queryCache = new ConcurrentHashMap<>();

    /**
     * @param catalog  the items
     * @param captions caption text by item id, may be empty
     * @param encoder  the sentence encoder (owned by the caller)
     * @param query    what part of the trace is the query
     */
    public RetrievalAgreementAssessor(Catalog catalog, Map<Integer, String> captions, TextEncoder encoder,
                                      Query query) {
        this.catalog = catalog;
        this.captions = Map.copyOf(captions);
        this.encoder = encoder;
        this.query = query;
    }

    @Override
    public String name() {
        return "retrieval";
    }

    /** The encoder's id, for provenance. */
    public String encoderId() {
        return encoder.id();
    }

    /** The query text of {@code trace}. */
    public String queryText(CotTrace trace) {
        if (query == Query.CRITERIA && trace.valid() && !trace.step(3).isBlank()) {
            return trace.step(3);
        }
        return CotParser.canonical(trace);
    }

    /** The text a candidate is encoded from. */
    public String candidateText(int itemId) {
        Item item = catalog.get(itemId);
        return ItemAttributes.candidateText(item, captions.get(itemId));
    }

    @Override
    public Assessment assess(CotTrace trace, RecommendationSample sample) {
        return assessAll(List.of(trace), List.of(sample)).get(0);
    }

    @Override
    public List<Assessment> assessAll(List<CotTrace> traces, List<RecommendationSample> samples) {
        if (traces.size() != samples.size()) {
            throw new IllegalArgumentException("Got " + traces.size() + " traces but " + samples.size()
                    + " samples; they must pair up.");
        }
        warm(samples);
        // Encode each distinct query once: templated reasoning repeats its criteria across many windows.
        TreeMap<String, float[]> missing = new TreeMap<>();
        List<String> queries = new ArrayList<>(traces.size());
        for (CotTrace t : traces) {
            String q = queryText(t);
            queries.add(q);
            if (!queryCache.containsKey(q)) {
                missing.put(q, null);
            }
        }
        if (!missing.isEmpty()) {
            List<String> texts = new ArrayList<>(missing.keySet());
            float[][] e = encoder.encode(texts);
            if (queryCache.size() + texts.size() > QUERY_CACHE_SIZE) {
                queryCache.clear();
            }
            for (int i = 0; i < texts.size(); i++) {
                missing.put(texts.get(i), e[i]);
                queryCache.put(texts.get(i), e[i]);
            }
        }
        List<Assessment> out = new ArrayList<>(traces.size());
        for (int i = 0; i < traces.size(); i++) {
            float[] q = missing.get(queries.get(i));
            out.add(score(traces.get(i).sampleId(), q != null ? q : queryCache.get(queries.get(i)), samples.get(i)));
        }
        return out;
    }

    /** Encodes, in one batch, every candidate of {@code samples} not yet cached. */
    public void warm(List<RecommendationSample> samples) {
        TreeMap<Integer, String> missing = new TreeMap<>();
        for (RecommendationSample s : samples) {
            for (int c : s.candidates()) {
                if (!itemCache.containsKey(c)) {
                    missing.put(c, candidateText(c));
                }
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        float[][] e = encoder.encode(new ArrayList<>(missing.values()));
        int i = 0;
        for (int id : missing.keySet()) {
            itemCache.putIfAbsent(id, e[i++]);
        }
    }

    private Assessment score(String sampleId, float[] q, RecommendationSample sample) {
        List<Integer> cands = sample.candidates();
        int n = cands.size();
        double target = Double.NaN;
        double[] sims = new double[n];
        for (int i = 0; i < n; i++) {
            float[] e = itemCache.computeIfAbsent(cands.get(i), id -> encoder.encode(candidateText(id)));
            sims[i] = TextEncoder.dot(q, e);
            if (cands.get(i) == sample.target()) {
                target = sims[i];
            }
        }
        if (Double.isNaN(target)) {
            throw new IllegalArgumentException("Sample " + sampleId + " has no candidates containing its target "
                    + sample.target() + ".");
        }
        double rank = 0;
        double best = Double.NEGATIVE_INFINITY;
        boolean seenTarget = false;
        for (int i = 0; i < n; i++) {
            if (cands.get(i) == sample.target() && !seenTarget) {
                seenTarget = true;
                continue;
            }
            best = Math.max(best, sims[i]);
            if (sims[i] > target) {
                rank += 1;
            } else if (sims[i] == target) {
                rank += 0.5;
            }
        }
        double margin = n > 1 ? target - best : 0;
        double sigma = 1.0 / (1.0 + Math.exp(-margin / MARGIN_TEMPERATURE));
        double score = n > 1 ? ((n - 1 - rank) + sigma) / n : 1.0;
        Map<String, Double> scores = Map.of(name(), score, name() + ".rank", rank + 1, name() + ".margin", margin,
                name() + ".similarity", target);
        return new Assessment(sampleId, true, score, "scored", scores);
    }
}
