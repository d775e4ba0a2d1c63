package dev.mllmrec.core.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TfIdfEncoderTest {

    @Test
    void similarTextsAreCloserAndVectorsAreUnit() {
        TfIdfEncoder e = TfIdfEncoder.fit(List.of("horror film dark", "romantic comedy bright", "crime thriller",
                "horror slasher"));
        float[][] v = e.encode(List.of("Dark horror films", "a dark horror film", "bright romantic comedies", ""));
        assertThat(TextEncoder.dot(v[0], v[0])).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(TextEncoder.dot(v[0], v[1])).isGreaterThan(0.99);
        assertThat(TextEncoder.dot(v[0], v[2])).isLessThan(0.01);
        assertThat(TextEncoder.dot(v[3], v[3])).isZero();
        assertThat(TfIdfEncoder.tokens("The Sci-Fi Movies & Café")).containsExactly("sci", "fi", "movie", "cafe");
    }
}
