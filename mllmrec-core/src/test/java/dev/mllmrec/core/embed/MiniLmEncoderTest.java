package dev.mllmrec.core.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class MiniLmEncoderTest {

    @Test
    void similarSentencesAreCloserThanUnrelatedOnes() {
        Assumptions.assumeTrue(MiniLmEncoder.available(), "all-MiniLM-L6-v2 is not on the classpath");
        try (MiniLmEncoder e = MiniLmEncoder.load(1, 2)) {
            float[][] v = e.encode(List.of(
                    "A dark, eerie horror film with a menacing killer.",
                    "A frightening slasher movie full of suspense and dread.",
                    "A cheerful romantic comedy set in sunny London.",
                    "Quarterly tax filing deadlines for small businesses."));
            assertThat(v[0]).hasSize(384);
            for (float[] x : v) {
                assertThat(TextEncoder.dot(x, x)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
            }
            double similar = TextEncoder.dot(v[0], v[1]);
            assertThat(similar).isGreaterThan(TextEncoder.dot(v[0], v[2]));
            assertThat(similar).isGreaterThan(TextEncoder.dot(v[0], v[3]) + 0.2);
            // Batching (three batches of at most two, one padded) matches encoding one by one.
            float[] alone = e.encode("A cheerful romantic comedy set in sunny London.");
            assertThat(TextEncoder.dot(alone, v[2])).isGreaterThan(0.9999);
            // Batches are formed by length, but every vector comes back in its text's place, whatever its batch.
            List<String> mixed = List.of("Heat", "A frightening slasher movie full of suspense and dread.", "Up",
                    "Quarterly tax filing deadlines for small businesses.", "Alien (1979)");
            float[][] batched = e.encode(mixed);
            for (int i = 0; i < mixed.size(); i++) {
                float[] one = e.encode(mixed.get(i));
                for (int d = 0; d < one.length; d++) {
                    assertThat(batched[i][d]).isCloseTo(one[d], org.assertj.core.data.Offset.offset(1e-5f));
                }
            }
        }
    }
}
