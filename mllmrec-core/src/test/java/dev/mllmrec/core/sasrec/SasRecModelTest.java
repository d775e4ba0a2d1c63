package dev.mllmrec.core.sasrec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mllmrec.core.CheckpointDigest;
import dev.mllmrec.core.CorruptCheckpointException;
import dev.mllmrec.core.lm.ParameterFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SasRecModelTest {

    private static final List<Integer> ITEMS = IntStream.rangeClosed(1, 40).boxed().toList();

    private static float[] hidden(SasRecModel model, long[] seq) {
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray in = scope.create(seq, new Shape(1, seq.length));
            return model.hidden(scope, in, false).toFloatArray();
        }
    }

    @Test
    void changingALaterItemNeverChangesAnEarlierPosition() {
        SasRecConfig config = SasRecConfig.builder().optMaxLength(8).optHiddenSize(16).optHeads(2).optSeed(3).build();
        try (SasRecModel model = SasRecModel.create(config, ITEMS)) {
            int h = config.hiddenSize();
            long[] base = {0, 0, 5, 9, 12, 3, 30, 7};
            float[] before = hidden(model, base);
            for (int changed = 2; changed < base.length; changed++) {
                long[] edited = base.clone();
                edited[changed] = 40;
                float[] after = hidden(model, edited);
                for (int pos = 0; pos < base.length; pos++) {
                    float[] a = java.util.Arrays.copyOfRange(before, pos * h, (pos + 1) * h);
                    float[] b = java.util.Arrays.copyOfRange(after, pos * h, (pos + 1) * h);
                    if (pos < changed) {
                        assertThat(b).as("position %d after changing %d", pos, changed).containsExactly(a);
                    } else if (pos == changed) {
                        assertThat(b).as("position %d sees its own item", pos).isNotEqualTo(a);
                    }
                }
            }
        }
    }

    @Test
    void historiesAreRightAlignedTruncatedAndSkipUnknownItems() {
        SasRecConfig config = SasRecConfig.builder().optMaxLength(4).optHiddenSize(8).build();
        try (SasRecModel model = SasRecModel.create(config, List.of(10, 20, 30, 40, 50))) {
            assertThat(model.encodeHistory(List.of(20, 30))).containsExactly(0, 0, 2, 3);
            assertThat(model.encodeHistory(List.of(10, 20, 30, 40, 50))).containsExactly(2, 3, 4, 5);
            assertThat(model.encodeHistory(List.of(10, 99, 20))).containsExactly(0, 0, 1, 2);
            assertThat(model.indexOf(99)).isZero();
        }
    }

    @Test
    void sameSeedGivesIdenticalWeightsAndScores() {
        SasRecConfig config = SasRecConfig.builder().optMaxLength(6).optHiddenSize(16).optSeed(11).build();
        try (SasRecModel a = SasRecModel.create(config, ITEMS); SasRecModel b = SasRecModel.create(config, ITEMS)) {
            List<List<Integer>> h = List.of(List.of(1, 2, 3), List.of(7));
            List<List<Integer>> c = List.of(List.of(4, 5, 6), List.of(8, 9));
            assertThat(a.scoreLast(h, c)).isDeepEqualTo(b.scoreLast(h, c));
        }
    }

    @Test
    void unknownCandidatesScoreLowest() {
        try (SasRecModel model = SasRecModel.create(SasRecConfig.builder().optHiddenSize(8).build(), ITEMS)) {
            double[][] s = model.scoreLast(List.of(List.of(1, 2)), List.of(List.of(3, 999)));
            assertThat(s[0][1]).isEqualTo(SasRecModel.UNKNOWN_ITEM_SCORE);
            assertThat(s[0][0]).isGreaterThan(SasRecModel.UNKNOWN_ITEM_SCORE);
        }
    }

    @Test
    void saveAndLoadRoundTripGivesIdenticalScores(@TempDir Path dir) {
        SasRecConfig config = SasRecConfig.builder().optMaxLength(6).optHiddenSize(16).optBlocks(1).build();
        List<List<Integer>> h = List.of(List.of(1, 2, 3, 4, 5, 6, 7), List.of(40));
        List<List<Integer>> c = List.of(List.of(8, 9, 10, 11), List.of(1, 2));
        try (SasRecModel model = SasRecModel.create(config, ITEMS)) {
            model.putProvenance("note", "round trip");
            model.save(dir);
            try (SasRecModel loaded = SasRecModel.load(dir)) {
                assertThat(loaded.config()).isEqualTo(config);
                assertThat(loaded.itemIds()).isEqualTo(model.itemIds());
                assertThat(loaded.provenance()).containsEntry("note", "round trip");
                assertThat(loaded.parameterCount()).isEqualTo(model.parameterCount());
                assertThat(loaded.scoreLast(h, c)).isDeepEqualTo(model.scoreLast(h, c));
            }
        }
    }

    @Test
    void aContentAwareModelRoundTripsWithItsFeaturesAndWithoutFeaturesIsTheIdOnlyModel(@TempDir Path dir) {
        SasRecConfig config = SasRecConfig.builder().optMaxLength(6).optHiddenSize(16).optBlocks(1).optSeed(4).build();
        java.util.Map<Integer, float[]> features = new java.util.HashMap<>();
        for (int i = 1; i <= 40; i += 3) {
            features.put(i, new float[] {i, -1f, 0.25f, 0f});
        }
        List<List<Integer>> h = List.of(List.of(1, 4, 7, 10), List.of(40));
        List<List<Integer>> c = List.of(List.of(8, 13, 10, 11), List.of(1, 2));
        try (SasRecModel plain = SasRecModel.create(config, ITEMS);
             SasRecModel none = SasRecModel.create(config, ITEMS, java.util.Map.of());
             SasRecModel model = SasRecModel.create(config, ITEMS, features)) {
            assertThat(none.scoreLast(h, c)).isDeepEqualTo(plain.scoreLast(h, c));
            assertThat(none.featureWidth()).isZero();
            assertThat(model.featureWidth()).isEqualTo(4);
            assertThat(model.parameterCount()).isEqualTo(plain.parameterCount() + 16 * 4);
            assertThat(model.scoreLast(h, c)[0]).isNotEqualTo(plain.scoreLast(h, c)[0]);
            model.save(dir);
            try (SasRecModel loaded = SasRecModel.load(dir)) {
                assertThat(loaded.featureWidth()).isEqualTo(4);
                assertThat(loaded.scoreLast(h, c)).isDeepEqualTo(model.scoreLast(h, c));
                assertThat(loaded.itemTableValues()).isEqualTo(model.itemTableValues());
            }
        }
    }

    @Test
    void aVersionOneCheckpointWithNdListWeightsStillLoadsAndSavingRewritesItInTheCurrentFormat(@TempDir Path dir)
            throws Exception {
        SasRecConfig config = SasRecConfig.builder().optMaxLength(6).optHiddenSize(8).optSeed(9).build();
        List<List<Integer>> h = List.of(List.of(1, 2, 3), List.of(40, 7));
        List<List<Integer>> c = List.of(List.of(8, 9, 10), List.of(1, 2));
        try (SasRecModel model = SasRecModel.create(config, ITEMS)) {
            double[][] expected = model.scoreLast(h, c);
            model.save(dir);
            // Rewrite it as the layout before 2026-12-06 wrote it: DJL's NDList encoding, format version 1.
            ai.djl.ndarray.NDList list = new ai.djl.ndarray.NDList();
            model.parameters().values().forEach(list::add);
            Files.write(dir.resolve(SasRecModel.WEIGHTS_FILE_V1), list.encode());
            Files.delete(dir.resolve(SasRecModel.WEIGHTS_FILE));
            Files.delete(dir.resolve(CheckpointDigest.MANIFEST));
            Path meta = dir.resolve(SasRecModel.CHECKPOINT_FILE);
            Files.writeString(meta, Files.readString(meta).replace(SasRecModel.FORMAT, SasRecModel.FORMAT_V1));
            try (SasRecModel old = SasRecModel.load(dir)) {
                assertThat(old.scoreLast(h, c)).isDeepEqualTo(expected);
                old.save(dir);
            }
            assertThat(dir.resolve(SasRecModel.WEIGHTS_FILE_V1)).doesNotExist();
            assertThat(Files.readString(meta)).contains(SasRecModel.FORMAT);
            try (SasRecModel again = SasRecModel.load(dir)) {
                assertThat(again.scoreLast(h, c)).isDeepEqualTo(expected);
            }
        }
    }

    @Test
    void weightsOfAnotherSizeAreNamedWithTheExpectedSize(@TempDir Path dir) {
        SasRecConfig config = SasRecConfig.builder().optMaxLength(6).optHiddenSize(8).build();
        try (SasRecModel model = SasRecModel.create(config, ITEMS)) {
            model.save(dir);
        }
        java.util.Map<String, float[]> values = new java.util.LinkedHashMap<>(
                ParameterFiles.read(dir.resolve(SasRecModel.WEIGHTS_FILE)));
        values.put("final_ln.gamma", new float[5]);
        ParameterFiles.write(dir.resolve(SasRecModel.WEIGHTS_FILE), values);
        CheckpointDigest.seal(dir);
        assertThatThrownBy(() -> SasRecModel.load(dir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("final_ln.gamma").hasMessageContaining("5 values, expected 8");
    }

    @Test
    void aCorruptedCheckpointFileFailsTheLoadNamingIt(@TempDir Path dir) throws Exception {
        SasRecConfig config = SasRecConfig.builder().optMaxLength(6).optHiddenSize(8).optSeed(5).build();
        try (SasRecModel model = SasRecModel.create(config, ITEMS)) {
            model.save(dir);
            model.save(dir); // saving again over a sealed checkpoint replaces its checksums
        }
        Path weights = dir.resolve(SasRecModel.WEIGHTS_FILE);
        assertThat(CheckpointDigest.isIntact(dir)).isTrue();
        assertThat(Files.readString(dir.resolve(CheckpointDigest.MANIFEST)))
                .contains(SasRecModel.CHECKPOINT_FILE, CheckpointDigest.sha256(weights));
        byte[] original = Files.readAllBytes(weights);
        byte[] flipped = original.clone();
        for (int i = flipped.length / 2; i < flipped.length / 2 + 16; i++) {
            flipped[i] = (byte) ~flipped[i]; // still a well-formed array file: only the checksum tells
        }
        Files.write(weights, flipped);
        assertThatThrownBy(() -> SasRecModel.load(dir)).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining(weights.toString()).hasMessageContaining("corrupted")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> SasRecRecommender.load(dir)).isInstanceOf(CorruptCheckpointException.class);
        Files.write(weights, original);
        Path meta = dir.resolve(SasRecModel.CHECKPOINT_FILE);
        String edited = Files.readString(meta).replace("\"hiddenSize\" : 8", "\"hiddenSize\" : 16");
        assertThat(edited).isNotEqualTo(Files.readString(meta));
        Files.writeString(meta, edited);
        assertThatThrownBy(() -> SasRecModel.load(dir)).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining(meta.toString());
    }

    @Test
    void loadingAnEmptyDirectorySaysWhatIsMissing(@TempDir Path dir) {
        assertThatThrownBy(() -> SasRecModel.load(dir)).hasMessageContaining("No SASRec checkpoint")
                .hasMessageContaining("checkpoint.json");
    }

    @Test
    void configRejectsBadValuesByName() {
        assertThatThrownBy(() -> SasRecConfig.builder().optHiddenSize(10).optHeads(3).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hiddenSize 10");
        assertThatThrownBy(() -> SasRecConfig.builder().optDropout(1f).build())
                .hasMessageContaining("dropout");
        assertThatThrownBy(() -> SasRecConfig.builder().optEpochs(0).build()).hasMessageContaining("epochs");
    }
}
