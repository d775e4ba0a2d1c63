package dev.mllmrec.core.lm.sft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mllmrec.core.CheckpointDigest;
import dev.mllmrec.core.CorruptCheckpointException;
import dev.mllmrec.core.lm.CausalLm;
import dev.mllmrec.core.lm.ParameterFiles;
import dev.mllmrec.core.rec.PolicyBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged SFT checkpoints are detected on load, named in one line, and skipped on resume. */
class SftCheckpointIntegrityTest {

    /** Trains 3 steps with a checkpoint after each (the newest 2 are kept) and returns the checkpoint root. */
    private static Path train(Path dir) {
        SftConfig cfg = SftTrainerTest.config().optEpochs(1).optCheckpointEverySteps(1).build();
        Path root = dir.resolve("ckpt");
        try (CausalLm lm = CausalLm.create(SftTrainerTest.CONFIG, 9)) {
            SftTrainer.builder().setModel(lm).setTokenizer(SftTrainerTest.TOK).optConfig(cfg)
                    .optCheckpointDir(root).build().train(SftTrainerTest.examples(24, 2));
        }
        return root;
    }

    /** Flips 200 bytes in the middle of {@code file}, as a bad disk or a bad copy would. */
    private static void flipBytes(Path file) throws Exception {
        byte[] b = Files.readAllBytes(file);
        int from = b.length / 2;
        for (int i = from; i < from + 200; i++) {
            b[i] = (byte) ~b[i];
        }
        Files.write(file, b);
    }

    @Test
    void everyCheckpointRecordsTheChecksumOfEachFile(@TempDir Path dir) throws Exception {
        Path last = SftCheckpoint.latest(train(dir)).orElseThrow();
        assertThat(last.getFileName().toString()).isEqualTo("step-00000003");
        assertThat(last.resolve(CheckpointDigest.MANIFEST)).exists();
        assertThat(CheckpointDigest.isIntact(last)).isTrue();
        assertThat(Files.readString(last.resolve(CheckpointDigest.MANIFEST)))
                .contains(CausalLm.WEIGHTS_FILE, SftCheckpoint.TOKENIZER_FILE, SftCheckpoint.OPTIMIZER_FILE,
                        SftCheckpoint.STATE_FILE, CausalLm.CONFIG_FILE,
                        CheckpointDigest.sha256(last.resolve(CausalLm.WEIGHTS_FILE)));
    }

    @Test
    void flippedWeightBytesFailTheLoadNamingTheFile(@TempDir Path dir) throws Exception {
        Path last = SftCheckpoint.latest(train(dir)).orElseThrow();
        Path weights = last.resolve(CausalLm.WEIGHTS_FILE);
        flipBytes(weights);
        // The flipped file still parses: only the checksum tells it apart from the real weights.
        assertThat(ParameterFiles.read(weights)).isNotEmpty();
        assertThatThrownBy(() -> PolicyBundle.load(last))
                .isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining(weights.toString())
                .hasMessageContaining("corrupted")
                .hasMessageContaining("delete the checkpoint")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> SftCheckpoint.loadModel(last)).isInstanceOf(CorruptCheckpointException.class);
        assertThatThrownBy(() -> SftCheckpoint.readState(last)).isInstanceOf(CorruptCheckpointException.class);
    }

    @Test
    void resumeFallsBackToTheNewestIntactCheckpoint(@TempDir Path dir) throws Exception {
        Path root = train(dir);
        flipBytes(root.resolve("step-00000003").resolve(CausalLm.WEIGHTS_FILE));
        assertThat(SftCheckpoint.latest(root)).contains(root.resolve("step-00000002"));
        // The policy loader takes the same fallback when pointed at the checkpoint root.
        try (PolicyBundle bundle = PolicyBundle.load(root)) {
            assertThat(bundle.source()).isEqualTo(root.resolve("step-00000002"));
        }
        flipBytes(root.resolve("step-00000002").resolve(SftCheckpoint.OPTIMIZER_FILE));
        assertThatThrownBy(() -> SftCheckpoint.latest(root)).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("step-00000003");
    }

    @Test
    void aTruncatedFileGivesAOneLineMessageNotNull(@TempDir Path dir) throws Exception {
        Path last = SftCheckpoint.latest(train(dir)).orElseThrow();
        Path weights = last.resolve(CausalLm.WEIGHTS_FILE);
        byte[] b = Files.readAllBytes(weights);
        Files.write(weights, Arrays.copyOf(b, b.length / 3));
        assertThatThrownBy(() -> PolicyBundle.load(last))
                .hasMessageContaining(weights.toString()).hasMessageContaining("truncated")
                .hasMessageNotContaining("null");
        // Without a manifest (an older checkpoint) the reader itself names the file and where it ends.
        Files.delete(last.resolve(CheckpointDigest.MANIFEST));
        assertThatThrownBy(() -> ParameterFiles.read(weights))
                .isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining(weights.toString()).hasMessageContaining("is truncated (it ends inside array")
                .hasMessageNotContaining("null");
    }
}
