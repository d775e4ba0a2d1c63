package dev.mllmrec.core.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything {@link Adam} carries from one update to the next: the number of updates applied (its bias corrections
 * depend on it) and both moment estimates of every parameter, copied to the heap. Checkpoints write the moments as a
 * {@code ParameterFiles} file ({@code optimizer.params}) and the step count in their {@code state.json}.
 *
 * @param steps   the updates applied
 * @param moments {@code m.<parameter>} (first moments) and {@code v.<parameter>} (second moments)
 */
public record AdamState(long steps, Map<String, float[]> moments) {

    /** Checks the step count and keeps an unmodifiable copy of the map (the arrays are not copied). */
    public AdamState {
        if (steps < 0) {
            throw new IllegalArgumentException("An optimizer's step count cannot be negative; got " + steps + ".");
        }
        moments = Collections.unmodifiableMap(new LinkedHashMap<>(moments));
    }

    /** The first moment of {@code parameter}, or null. */
    public float[] firstMoment(String parameter) {
        return moments.get("m." + parameter);
    }

    /** The second moment of {@code parameter}, or null. */
    public float[] secondMoment(String parameter) {
        return moments.get("v." + parameter);
    }
}
