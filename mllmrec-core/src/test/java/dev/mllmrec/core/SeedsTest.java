package dev.mllmrec.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mllmrec.core.lm.SeededRandom;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The one SplitMix64: reference outputs, and the streams built on it unchanged by the unification. */
class SeedsTest {

    /** The SplitMix64 finaliser written out, as the five copies had it. */
    private static long referenceMix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Test
    void seededRandomIsSplitMix64() {
        // Vigna's SplitMix64 from state 0: the first two outputs.
        SeededRandom r = new SeededRandom(0);
        assertThat(r.nextLong()).isEqualTo(0xE220A8397B1DCDAFL);
        assertThat(r.nextLong()).isEqualTo(0x6E789E6AA1B965F4L);
    }

    @Test
    void mixAndHashMatchTheirReferences() {
        for (long z : new long[] {0, 1, -1, 42, 0x123456789ABCDEFL, Long.MIN_VALUE}) {
            assertThat(Seeds.mix(z)).isEqualTo(referenceMix(z));
        }
        long h = 0xcbf29ce484222325L;
        for (byte b : "u42:7".getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        assertThat(Seeds.fnv1a("u42:7")).isEqualTo(h);
        assertThat(Seeds.hash("u42:7")).isEqualTo(referenceMix(h));
        // The augmenter's key as it was written before it used Seeds.
        assertThat(Seeds.mix(Seeds.fnv1a("u42:7") ^ (42L * 0x9E3779B97F4A7C15L)))
                .isEqualTo(referenceMix(h ^ (42L * 0x9E3779B97F4A7C15L)));
    }
}
