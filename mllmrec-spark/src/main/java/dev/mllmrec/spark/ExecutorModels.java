package dev.mllmrec.spark;

import dev.mllmrec.api.Caption;
import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.CotGenerator;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.Recommender;
import dev.mllmrec.core.JsonLines;
import dev.mllmrec.core.cot.ItemAttributes;
import dev.mllmrec.core.cot.assess.CombinedAssessor;
import dev.mllmrec.core.cot.assess.LeakageAssessor;
import dev.mllmrec.core.cot.assess.RetrievalAgreementAssessor;
import dev.mllmrec.core.embed.MiniLmEncoder;
import dev.mllmrec.core.embed.TextEncoder;
import dev.mllmrec.core.embed.TfIdfEncoder;
import dev.mllmrec.core.rec.PolicyRanker;
import dev.mllmrec.core.sasrec.SasRecRecommender;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The trained models of one JVM (an executor, or the driver in local mode), each loaded once on first use and
 * shared by every task that runs there: a SASRec checkpoint or a policy (GRPO's best, SFT's newest) of a work
 * directory, and the built-in reasoning writer over a catalog. {@link SasRecRecommender} and {@link PolicyRanker} rank from many threads at once, so concurrent
 * tasks share one copy of the weights.
 *
 * <p>Thread-safe.
 */
public final class ExecutorModels {

    /** The models a job can rank with. */
    public enum Kind {
        /** A SASRec checkpoint folder ({@code W/checkpoints/sasrec}). */
        SASREC,
        /** GRPO's best checkpoint in a work directory. */
        GRPO,
        /** SFT's newest checkpoint in a work directory. */
        SFT;

        /** The lower-case name. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * Parses {@code sasrec}, {@code grpo} or {@code sft}.
         *
         * @throws IllegalArgumentException naming the value when it is none of them
         */
        public static Kind parse(String text) {
            for (Kind k : values()) {
                if (k.id().equalsIgnoreCase(text == null ? "" : text.strip())) {
                    return k;
                }
            }
            throw new IllegalArgumentException("Unknown model '" + text + "'; use sasrec, grpo or sft.");
        }
    }

    private static final Map<String, Object> MODELS = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ExecutorModels() {
    }

    /** The model of {@code kind} at local path {@code path}, loaded on first use in this JVM. */
    public static Recommender get(Kind kind, String path) {
        return (Recommender) MODELS.computeIfAbsent(kind.id() + "\n" + path, k -> {
            LOADS.incrementAndGet();
            return switch (kind) {
                case SASREC -> SasRecRecommender.load(Path.of(path));
                case GRPO, SFT -> PolicyRanker.load(Path.of(path), kind.id(), PolicyRanker.Pick.BEST);
            };
        });
    }

    /**
     * The built-in reasoning writer over the catalog at local path {@code catalog} ({@code Item} JSON Lines) and
     * the captions at {@code captions} ({@code Caption} JSON Lines, the last line of an item wins; null: none),
     * built on first use in this JVM. Thread-safe (immutable).
     */
    public static CotGenerator builtinCot(String catalog, String captions) {
        return cot(CotGeneratorSpec.builtin(), catalog, captions);
    }

    /**
     * The reasoning writer {@code spec} names over the catalog at local path {@code catalog} and the captions at
     * {@code captions} (null: none), built on first use in this JVM and shared by its tasks: for a server, one HTTP
     * client whose concurrency and retry limits therefore hold per executor.
     */
    public static CotGenerator cot(CotGeneratorSpec spec, String catalog, String captions) {
        String key = spec.kind().equals(CotGeneratorSpec.BUILTIN) ? "cot\n" + catalog + "\n" + captions
                : "cot\n" + spec + "\n" + catalog + "\n" + captions;
        return (CotGenerator) MODELS.computeIfAbsent(key, k -> {
            LOADS.incrementAndGet();
            Catalog c = Catalog.of("catalog", JsonLines.read(Path.of(catalog), Item.class));
            Map<Integer, String> text = new HashMap<>();
            if (captions != null) {
                for (Caption caption : JsonLines.read(Path.of(captions), Caption.class)) {
                    text.put(caption.itemId(), caption.text());
                }
            }
            return spec.create(c, text);
        });
    }


    /**
     * The captioner {@code spec} names, built on first use in this JVM and shared by its tasks: for a server, one
     * HTTP client whose concurrency and retry limits therefore hold per executor.
     */
    public static dev.mllmrec.api.VisualTextualizer textualizer(TextualizerSpec spec) {
        return (dev.mllmrec.api.VisualTextualizer) MODELS.computeIfAbsent("textualizer\n" + spec, k -> {
            LOADS.incrementAndGet();
            return spec.create();
        });
    }

    /**
     * The assessor of the single-machine {@code assess} over the catalog at local path {@code catalog} and the
     * captions at {@code captions} (null: none), built on first use in this JVM: the leakage veto when
     * {@code assessors} holds {@code leakage}, the retrieval-agreement scorer with {@code encoder} ({@code minilm}:
     * all-MiniLM-L6-v2 on ONNX Runtime, one intra-op thread since Spark runs a task per core; {@code tfidf}: fitted
     * on the catalog's candidate texts) and {@code query} when it holds {@code retrieval}, and the threshold (null:
     * none). The keep-fraction is a cut over every trace and is applied by the job, not here. Its candidate
     * embeddings are cached for every task of the JVM. Thread-safe when the encoder is (both are).
     */
    public static Assessing assessor(String catalog, String captions, List<String> assessors, String encoder,
                                     RetrievalAgreementAssessor.Query query, Double threshold) {
        return (Assessing) MODELS.computeIfAbsent(String.join("\n", "assess", catalog, String.valueOf(captions),
                String.valueOf(assessors), encoder, query.name(), String.valueOf(threshold)), k -> {
            LOADS.incrementAndGet();
            Catalog c = Catalog.of("catalog", JsonLines.read(Path.of(catalog), Item.class));
            Map<Integer, String> text = captions(captions);
            CombinedAssessor.Builder b = CombinedAssessor.builder();
            if (assessors.contains("leakage")) {
                b.addVeto(new LeakageAssessor(c));
            }
            if (threshold != null) {
                b.optThreshold(threshold);
            }
            TextEncoder enc = null;
            if (assessors.contains("retrieval")) {
                enc = switch (encoder) {
                    case "minilm" -> MiniLmEncoder.load(1, 32);
                    case "tfidf" -> TfIdfEncoder.fit(c.items().stream()
                            .map(i -> ItemAttributes.candidateText(i, text.get(i.id()))).toList());
                    default -> throw new IllegalArgumentException("Unknown encoder '" + encoder
                            + "'; expected minilm or tfidf.");
                };
                b.addScorer(new RetrievalAgreementAssessor(c, text, enc, query), 1.0);
            }
            return new Assessing(b.build(), enc);
        });
    }

    /**
     * An assessor and the encoder it owns (null without the retrieval scorer).
     *
     * @param assessor the assessor
     * @param encoder  its encoder, closed with it
     */
    public record Assessing(CombinedAssessor assessor, TextEncoder encoder) implements AutoCloseable {

        @Override
        public void close() {
            if (encoder != null) {
                encoder.close();
            }
        }
    }

    private static Map<Integer, String> captions(String captions) {
        Map<Integer, String> text = new HashMap<>();
        if (captions != null) {
            for (Caption caption : JsonLines.read(Path.of(captions), Caption.class)) {
                text.put(caption.itemId(), caption.text());
            }
        }
        return text;
    }

    /** How many models this JVM has loaded. */
    public static int loads() {
        return LOADS.get();
    }

    /** Closes and forgets every model of this JVM (for local mode, after the job). */
    public static void closeAll() {
        for (String key : MODELS.keySet()) {
            Object r = MODELS.remove(key);
            if (r instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    // closing frees native memory; nothing to report to the job
                }
            }
        }
    }
}
