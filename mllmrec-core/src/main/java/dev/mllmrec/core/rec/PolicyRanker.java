package dev.mllmrec.core.rec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.Ranking;
import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.api.Recommender;
import dev.mllmrec.core.CheckpointStore;
import dev.mllmrec.core.Json;
import dev.mllmrec.core.WorkDir;
import dev.mllmrec.core.data.PreparedData;
import dev.mllmrec.core.lm.sft.SftCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A trained policy loaded for serving: ranks candidates by the policy's likelihood of answering each one (the
 * recommender the README's numbers are measured with), with the provenance of what it loaded. The built-in policy
 * scores each candidate as the next item after the history, in its item-sequence pre-training format
 * ({@link RankingView#defaultFor}: the {@link RankingView#HISTORY} view); a LoRA policy after its reference prompt.
 *
 * <pre>{@code
 * try (PolicyRanker ranker = PolicyRanker.load(Path.of("work"))) {        // GRPO's best checkpoint
 *     Ranking r = ranker.rank(new RankingRequest("u1", history, candidates));
 *     List<Ranking> batch = ranker.rankAll(requests);                    // scored in batches
 * }
 * }</pre>
 *
 * <p>As a re-ranker behind another recommender: pass that recommender's top-N as the candidates; every candidate must
 * be in the catalog the policy was trained on ({@link #catalog()}), and the history is the user's most recent items
 * (the last {@link #historyLength()} are used, as in training).
 *
 * <p>The policy is the built-in one, or LoRA adapters of a pretrained Hugging Face decoder ({@code train-sft
 * --base-model}), served on their base with the adapters merged. {@link #loadOnnx} serves the built-in policy from
 * its ONNX export on ONNX Runtime, without libtorch.
 *
 * <p>Thread-safe: any number of threads may rank at once; {@link #close()} waits for them and frees the native
 * memory, after which ranking fails with {@link IllegalStateException}.
 */
public final class PolicyRanker implements Recommender, AutoCloseable {

    /** Which checkpoint of a training run to load. */
    public enum Pick {
        /** The checkpoint with the best validation (GRPO keeps one in {@code best/}); the newest when there is none. */
        BEST,
        /** The newest checkpoint. */
        LATEST
    }

    /**
     * Where a ranker's policy comes from.
     *
     * @param checkpoint      the checkpoint directory loaded
     * @param model           {@code grpo} or {@code sft}
     * @param pick            which checkpoint was asked for
     * @param state           the checkpoint's {@code state.json} (its training config, step, seed, validation)
     * @param dataFingerprint the SHA-256 of the catalog and histories it was trained on (from prepare), or null
     * @param seed            the seed of the data preparation, or null
     * @param versions        mllmrec's, DJL's and Java's versions at load time
     */
    public record Provenance(Path checkpoint, String model, Pick pick, Map<String, Object> state,
                             String dataFingerprint, Long seed, Map<String, String> versions) {
    }

    /** What {@link #close()} frees: the DJL bundle, or the ONNX Runtime session. */
    private final AutoCloseable resource;
    private final Catalog catalog;
    private final Recommender inner;
    private final Provenance provenance;
    private final int historyLength;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    private PolicyRanker(PolicyBundle bundle, Catalog catalog, Provenance provenance, int historyLength) {
        this(new LikelihoodRecommender(provenance.model(), bundle.policy(), bundle.tokenizer(),
                bundle.prompts(catalog), bundle.answerScope(),
                RankingView.defaultFor(bundle.style(), bundle.answerScope())), bundle, catalog, provenance,
                historyLength);
    }

    private PolicyRanker(Recommender inner, AutoCloseable resource, Catalog catalog, Provenance provenance,
                         int historyLength) {
        this.inner = inner;
        this.resource = resource;
        this.catalog = catalog;
        this.provenance = provenance;
        this.historyLength = historyLength;
    }

    /** GRPO's best checkpoint in work directory {@code workDir}, or SFT's newest when GRPO has not run. */
    public static PolicyRanker load(Path workDir) {
        WorkDir w = WorkDir.of(workDir);
        String model = Files.isDirectory(w.checkpoints("grpo")) ? "grpo" : "sft";
        return load(workDir, model, Pick.BEST);
    }

    /**
     * Loads model {@code model} ({@code grpo} or {@code sft}) of work directory {@code workDir}.
     *
     * @throws IllegalArgumentException naming the directory when it holds no checkpoint or no prepared data
     * @throws dev.mllmrec.core.CorruptCheckpointException naming a file that fails its checksum
     */
    public static PolicyRanker load(Path workDir, String model, Pick pick) {
        return load(workDir, model, pick, null);
    }

    /**
     * {@link #load(Path, String, Pick)}, with {@code baseModel} the base folder of a LoRA checkpoint when it is no
     * longer where the checkpoint records it ({@code null}: the recorded one). A LoRA checkpoint
     * ({@code train-sft --base-model}) is served on its base with the adapters merged, its prompts in the chat
     * template it was trained with, each candidate scored by its whole answer line.
     *
     * @throws IllegalArgumentException naming the directory when it holds no checkpoint or no prepared data, or the
     *                                  base folder when it is missing or another model
     */
    public static PolicyRanker load(Path workDir, String model, Pick pick, Path baseModel) {
        PreparedData data = PreparedData.load(WorkDir.of(workDir));
        Path dir = checkpoint(workDir, model, pick);
        PolicyBundle bundle = PolicyBundle.load(dir, baseModel);
        try {
            Provenance p = new Provenance(bundle.source(), model, pick, state(bundle.source()), data.fingerprint(),
                    data.config().seed(), versions());
            return new PolicyRanker(bundle, data.catalog(), p, data.config().history());
        } catch (RuntimeException e) {
            bundle.close();
            throw e;
        }
    }

    /**
     * A policy exported by {@code export-onnx} ({@code PolicyOnnxExporter}), ranked on ONNX Runtime alone: no
     * libtorch is loaded, so a server needs only {@code mllmrec-onnx} (or {@code mllmrec-core} with ONNX Runtime).
     * Scores equal the DJL policy's within 1e-4; the catalog and history length come from {@code workDir}'s prepared
     * data, as with {@link #load(Path, String, Pick)}.
     *
     * @param workDir   the work directory the policy was trained in (its prepared catalog and settings)
     * @param exportDir the export ({@code model.json}, {@code model.onnx}, {@code tokenizer.json})
     * @param config    ONNX Runtime's session settings (threads, batch size, arena, optimisation level)
     * @throws IllegalArgumentException naming the file when the export is missing, incomplete or not a policy
     */
    public static PolicyRanker loadOnnx(Path workDir, Path exportDir,
                                        dev.mllmrec.core.onnx.OnnxSessionConfig config) {
        PreparedData data = PreparedData.load(WorkDir.of(workDir));
        dev.mllmrec.core.onnx.OnnxManifest manifest = dev.mllmrec.core.onnx.OnnxManifest.read(exportDir);
        dev.mllmrec.core.onnx.OnnxRecommender onnx = dev.mllmrec.core.onnx.OnnxRecommender.loadPolicy(exportDir,
                data.catalog(), AnswerScope.ITEM_TOKEN, config);
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("export", exportDir.toString());
        if (manifest.source() != null) {
            state.put("source", manifest.source());
        }
        if (manifest.provenance() != null) {
            state.putAll(manifest.provenance());
        }
        Map<String, String> versions = versions();
        versions.put("engine", "onnxruntime");
        Provenance p = new Provenance(exportDir, manifest.name(), Pick.BEST, state, data.fingerprint(),
                data.config().seed(), versions);
        return new PolicyRanker(onnx, onnx, data.catalog(), p, data.config().history());
    }

    /**
     * The checkpoint directory of {@code model} in {@code workDir} for {@code pick}: for {@link Pick#BEST}, the one
     * {@code best.json} names when training kept one, else the latest ({@link CheckpointStore#find}).
     *
     * @throws IllegalArgumentException naming the directory when it holds no checkpoint
     */
    public static Path checkpoint(Path workDir, String model, Pick pick) {
        Path root = WorkDir.of(workDir).checkpoints(model);
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("No " + model + " checkpoints in " + root + "; train first.");
        }
        if (pick == Pick.BEST) {
            Optional<Path> best = CheckpointStore.find(root, CheckpointStore.BEST);
            if (best.isPresent()) {
                return best.get();
            }
        }
        return CheckpointStore.find(root, CheckpointStore.LATEST).orElseThrow(() -> new IllegalArgumentException(
                "No complete " + model + " checkpoint in " + root + "; train first."));
    }

    private static Map<String, Object> state(Path dir) {
        Path f = dir.resolve(SftCheckpoint.STATE_FILE);
        if (!Files.isRegularFile(f)) {
            return Map.of();
        }
        JsonNode n = Json.read(f, JsonNode.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> m = Json.mapper().convertValue(n, LinkedHashMap.class);
        return m;
    }

    private static Map<String, String> versions() {
        Map<String, String> v = new LinkedHashMap<>();
        String own = PolicyRanker.class.getPackage().getImplementationVersion();
        v.put("mllmrec", own == null ? "development" : own);
        v.put("djl", ai.djl.engine.Engine.getDjlVersion());
        v.put("java", System.getProperty("java.version"));
        return v;
    }

    @Override
    public String name() {
        return provenance.model();
    }

    /** What was loaded, from which data, with which settings. */
    public Provenance provenance() {
        return provenance;
    }

    /** The catalog the policy was trained on: candidates and history items must be in it. */
    public Catalog catalog() {
        return catalog;
    }

    /** The number of most recent history items a prompt shows. */
    public int historyLength() {
        return historyLength;
    }

    /**
     * Ranks the request's candidates, best first.
     *
     * <p>History items outside the catalog are skipped (the policy has no token for them).
     *
     * @throws IllegalArgumentException naming the item when a candidate is not in the catalog
     * @throws IllegalStateException    after {@link #close()}
     */
    @Override
    public Ranking rank(RankingRequest request) {
        return rankAll(List.of(request)).get(0);
    }

    /** Ranks many requests, scored in batches. */
    @Override
    public List<Ranking> rankAll(List<RankingRequest> requests) {
        List<RankingRequest> checked = new ArrayList<>(requests.size());
        for (RankingRequest r : requests) {
            checked.add(check(r));
        }
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("This PolicyRanker is closed.");
            }
            return inner.rankAll(checked);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Re-ranks another recommender's candidate list for a user: {@code candidates} in the policy's order.
     *
     * @param userId     the user
     * @param history    the user's items, oldest first (the most recent {@link #historyLength()} are used)
     * @param candidates the other recommender's top-N
     */
    public List<Integer> rerank(String userId, List<Integer> history, List<Integer> candidates) {
        return rank(new RankingRequest(userId, history, candidates)).ids();
    }

    private RankingRequest check(RankingRequest r) {
        Objects.requireNonNull(r, "request");
        for (int id : r.candidates()) {
            if (!catalog.contains(id)) {
                throw new IllegalArgumentException("Candidate item " + id + " of user " + r.userId()
                        + " is not in the catalog the policy was trained on (" + catalog.name() + ", "
                        + catalog.size() + " items).");
            }
        }
        List<Integer> history = r.history().stream().filter(catalog::contains).toList();
        if (history.size() > historyLength) {
            history = history.subList(history.size() - historyLength, history.size());
        }
        return history.equals(r.history()) ? r : new RankingRequest(r.userId(), history, r.candidates());
    }

    /** Frees the policy's native memory once the rankings in flight are done. Idempotent. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                try {
                    resource.close();
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException("Cannot close " + provenance.checkpoint() + ": " + e.getMessage(),
                            e);
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
