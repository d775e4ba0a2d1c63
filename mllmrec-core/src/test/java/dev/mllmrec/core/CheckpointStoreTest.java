package dev.mllmrec.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one checkpoint layout: step directories, pointer files, pruning, repair after a kill, the older layout. */
class CheckpointStoreTest {

    private static Path save(Path root, long step, String... pointers) {
        return CheckpointStore.save(root, step, dir -> Files.writeString(dir.resolve(CheckpointStore.STATE_FILE),
                "{\"step\": " + step + "}"), 2, pointers);
    }

    private static String state(Path dir) throws Exception {
        return Files.readString(dir.resolve(CheckpointStore.STATE_FILE));
    }

    @Test
    void pointersNameStepDirectoriesAndPruningKeepsTheNewestAndEveryPointedOne(@TempDir Path root) throws Exception {
        save(root, 1, CheckpointStore.LATEST, CheckpointStore.BEST);
        save(root, 2, CheckpointStore.LATEST);
        save(root, 3, CheckpointStore.LATEST);
        save(root, 4, CheckpointStore.LATEST);
        assertThat(CheckpointStore.steps(root)).extracting(p -> p.getFileName().toString())
                .containsExactly("step-00000001", "step-00000003", "step-00000004");
        assertThat(CheckpointStore.find(root, CheckpointStore.LATEST)).contains(root.resolve("step-00000004"));
        assertThat(CheckpointStore.find(root, CheckpointStore.BEST)).contains(root.resolve("step-00000001"));
        assertThat(Files.readString(CheckpointStore.pointerFile(root, CheckpointStore.LATEST)))
                .isEqualTo("{\"checkpoint\":\"step-00000004\",\"step\":4}\n");
        assertThat(root.resolve("step-00000004").resolve(CheckpointDigest.MANIFEST)).isRegularFile();
    }

    @Test
    void aSecondSaveOfTheSameStepReplacesItAndKeepsBothPointers(@TempDir Path root) throws Exception {
        save(root, 5, CheckpointStore.BEST);
        CheckpointStore.save(root, 5, dir -> Files.writeString(dir.resolve(CheckpointStore.STATE_FILE),
                "{\"step\": 5, \"again\": true}"), 2, CheckpointStore.LATEST);
        Path best = CheckpointStore.find(root, CheckpointStore.BEST).orElseThrow();
        assertThat(best).isEqualTo(CheckpointStore.find(root, CheckpointStore.LATEST).orElseThrow());
        assertThat(state(best)).contains("again");
        assertThat(root.resolve(".old-step-00000005")).doesNotExist();
    }

    @Test
    void aDamagedLatestFallsBackToTheNewestIntactStepButADamagedBestIsAnError(@TempDir Path root) throws Exception {
        save(root, 1, CheckpointStore.LATEST);
        save(root, 2, CheckpointStore.LATEST, CheckpointStore.BEST);
        Files.writeString(root.resolve("step-00000002").resolve(CheckpointStore.STATE_FILE), "{\"step\": 9}");
        assertThat(CheckpointStore.find(root, CheckpointStore.LATEST)).contains(root.resolve("step-00000001"));
        assertThatThrownBy(() -> CheckpointStore.find(root, CheckpointStore.BEST))
                .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining("step-00000002");
    }

    @Test
    void aKilledSaveIsRepairedAndALostPointerFindsTheNewestStep(@TempDir Path root) throws Exception {
        save(root, 1, CheckpointStore.LATEST);
        // killed between renaming the old step-1 aside and putting the new one in place
        Files.move(root.resolve("step-00000001"), root.resolve(".old-step-00000001"));
        Files.createDirectories(root.resolve(".tmp-step-00000001-42"));
        assertThat(CheckpointStore.find(root, CheckpointStore.LATEST)).contains(root.resolve("step-00000001"));
        assertThat(root.resolve(".old-step-00000001")).doesNotExist();
        assertThat(root.resolve(".tmp-step-00000001-42")).doesNotExist();
        save(root, 2);   // killed before its pointer was written: the newest complete step resumes
        Files.delete(CheckpointStore.pointerFile(root, CheckpointStore.LATEST));
        assertThat(CheckpointStore.find(root, CheckpointStore.LATEST)).contains(root.resolve("step-00000002"));
        assertThat(CheckpointStore.find(root, CheckpointStore.BEST)).isEmpty();
        Files.writeString(CheckpointStore.pointerFile(root, CheckpointStore.LATEST), "{\"checkpoint\": \"../x\"}");
        assertThat(CheckpointStore.find(root, CheckpointStore.LATEST)).contains(root.resolve("step-00000002"));
    }

    @Test
    void theOlderNamedLayoutStillLoadsUntilAPointerIsWritten(@TempDir Path root) throws Exception {
        for (String name : List.of("latest", "previous-latest", "best")) {
            Path dir = Files.createDirectories(root.resolve(name));
            Files.writeString(dir.resolve(CheckpointStore.STATE_FILE), "{\"name\": \"" + name + "\"}");
            CheckpointDigest.seal(dir);
        }
        assertThat(CheckpointStore.find(root, CheckpointStore.LATEST)).contains(root.resolve("latest"));
        assertThat(CheckpointStore.find(root, CheckpointStore.BEST)).contains(root.resolve("best"));
        Files.writeString(root.resolve("latest").resolve(CheckpointStore.STATE_FILE), "{}");   // damaged
        assertThat(CheckpointStore.find(root, CheckpointStore.LATEST)).contains(root.resolve("previous-latest"));
        // an orphan of the older layout's save is put back as before
        Files.move(root.resolve("best"), root.resolve(".old-best"));
        assertThat(CheckpointStore.find(root, CheckpointStore.BEST)).contains(root.resolve("best"));
        // a resumed run writes the new layout, whose pointer wins; the older best stays until a new best
        save(root, 7, CheckpointStore.LATEST);
        assertThat(CheckpointStore.find(root, CheckpointStore.LATEST)).contains(root.resolve("step-00000007"));
        assertThat(CheckpointStore.find(root, CheckpointStore.BEST)).contains(root.resolve("best"));
        save(root, 8, CheckpointStore.BEST);
        assertThat(CheckpointStore.find(root, CheckpointStore.BEST)).contains(root.resolve("step-00000008"));
    }

    @Test
    void aWriterThatWritesNoStateIsRefusedAndLeavesNothing(@TempDir Path root) {
        assertThatThrownBy(() -> CheckpointStore.save(root, 1, dir -> { }, 1, CheckpointStore.LATEST))
                .hasMessageContaining(CheckpointStore.STATE_FILE).hasMessageContaining("step-00000001");
        assertThat(root.toFile().list()).isEmpty();
        save(root, 2, CheckpointStore.LATEST);
        assertThat(CheckpointStore.steps(root)).hasSize(1);
    }
}
