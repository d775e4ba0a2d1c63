package dev.mllmrec.core.lm.sft;

import dev.mllmrec.core.Json;
import dev.mllmrec.core.lm.CausalLm;
import dev.mllmrec.core.lm.ParameterFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the weights of the epoch with the best validation: a listener that, whenever an epoch's {@code metric}
 * beats every earlier one (ties broken by {@code tieBreak}), writes the model's weights under {@code dir}, and
 * {@link #restore} puts the best weights back into the model after training. Where a validation curve peaks
 * early and then declines (a small model fitting its training data), this is the difference between the peak and
 * the tail, the way SASRec keeps its best epoch.
 *
 * <p>Crash-safe and resumable: the weights go to a file named after the epoch, then {@code best.json} is replaced
 * atomically to point at it, then older files are deleted; a keeper created over the same directory continues from
 * the recorded best. Not thread-safe; one per training run.
 */
public final class BestEpochKeeper implements SftListener {

    private static final Logger LOG = LoggerFactory.getLogger(BestEpochKeeper.class);

    /** The record of the best epoch under the keeper's directory. */
    public static final String STATE_FILE = "best.json";

    /**
     * The best epoch so far.
     *
     * @param epoch      the epoch index (0-based, as {@link SftListener.Epoch} counts)
     * @param validation its validation metrics
     * @param weights    the weights file name in the keeper's directory
     */
    public record Best(int epoch, Map<String, Double> validation, String weights) {
    }

    private final CausalLm model;
    private final Path dir;
    private final String metric;
    private final String tieBreak;
    private Best best;

    /**
     * A keeper of {@code model}'s best epoch by {@code metric} (then {@code tieBreak}) under {@code dir}.
     *
     * @throws IllegalStateException if {@code dir} holds a best record that cannot be read
     */
    public BestEpochKeeper(CausalLm model, Path dir, String metric, String tieBreak) {
        this.model = Objects.requireNonNull(model, "model");
        this.dir = Objects.requireNonNull(dir, "dir");
        this.metric = Objects.requireNonNull(metric, "metric");
        this.tieBreak = Objects.requireNonNull(tieBreak, "tieBreak");
        Path state = dir.resolve(STATE_FILE);
        if (Files.isRegularFile(state)) {
            best = Json.read(state, Best.class);
            if (!Files.isRegularFile(dir.resolve(best.weights()))) {
                throw new IllegalStateException(state + " names " + best.weights() + ", which is missing; delete "
                        + dir + " to start over.");
            }
        }
    }

    /** The best epoch so far, if any epoch has been validated. */
    public Optional<Best> best() {
        return Optional.ofNullable(best);
    }

    @Override
    public void onEpochEnd(Epoch epoch) {
        Double value = epoch.validation().get(metric);
        if (value == null || value.isNaN()) {
            return;
        }
        if (best != null && !better(epoch.validation(), best.validation())) {
            return;
        }
        String file = String.format(Locale.ROOT, "epoch-%04d.params", epoch.epoch());
        try {
            Files.createDirectories(dir);
            ParameterFiles.write(dir.resolve(file), model.parameterValues());
            Best next = new Best(epoch.epoch(), java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(epoch.validation())), file);
            Json.writePretty(dir.resolve(STATE_FILE), next);
            best = next;
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    String name = p.getFileName().toString();
                    if (name.startsWith("epoch-") && name.endsWith(".params") && !name.equals(file)) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot keep the best epoch in " + dir + ": " + e.getMessage(), e);
        }
    }

    private boolean better(Map<String, Double> candidate, Map<String, Double> incumbent) {
        double c = candidate.get(metric);
        double i = incumbent.getOrDefault(metric, Double.NEGATIVE_INFINITY);
        if (c != i) {
            return c > i;
        }
        return candidate.getOrDefault(tieBreak, Double.NEGATIVE_INFINITY)
                > incumbent.getOrDefault(tieBreak, Double.NEGATIVE_INFINITY);
    }

    /** Loads the best epoch's weights into the model; returns the best epoch, or empty (model untouched). */
    public Optional<Best> restore() {
        if (best == null) {
            return Optional.empty();
        }
        model.setParameterValues(ParameterFiles.read(dir.resolve(best.weights())));
        LOG.info("Restored the weights of epoch {} ({} {}).", best.epoch(), metric, best.validation().get(metric));
        return Optional.of(best);
    }
}
