package dev.mllmrec.core.sasrec;

import java.util.Map;

/**
 * Measures a model during training, typically hit rates on held-out validation requests. The trainer only sees the
 * returned numbers, never the validation targets.
 */
@FunctionalInterface
public interface SasRecValidator {

    /**
     * Validates the model after {@code epoch} (1-based).
     *
     * @return metrics by name, for example {@code HR@3}
     */
    Map<String, Double> validate(SasRecModel model, int epoch);
}
