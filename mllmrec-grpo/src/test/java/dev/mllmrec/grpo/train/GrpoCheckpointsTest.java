package dev.mllmrec.grpo.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a save killed half-way leaves behind is repaired. */
class GrpoCheckpointsTest {

    @Test
    void anOrphanedPreviousCheckpointIsPutBackAndTemporaryDirectoriesRemoved(@TempDir Path root) throws Exception {
        Path old = Files.createDirectories(root.resolve(".old-latest"));
        Files.writeString(old.resolve(GrpoCheckpoints.STATE_FILE), "{}");
        Files.createDirectories(root.resolve(".tmp-latest-123"));
        assertThat(GrpoCheckpoints.find(root, GrpoCheckpoints.LATEST)).contains(root.resolve("latest"));
        assertThat(root.resolve(".old-latest")).doesNotExist();
        assertThat(root.resolve(".tmp-latest-123")).doesNotExist();
    }

    @Test
    void aStalePreviousCheckpointBesideACompleteOneIsDeleted(@TempDir Path root) throws Exception {
        Path current = Files.createDirectories(root.resolve("best"));
        Files.writeString(current.resolve(GrpoCheckpoints.STATE_FILE), "{\"step\": 2}");
        Path old = Files.createDirectories(root.resolve(".old-best"));
        Files.writeString(old.resolve(GrpoCheckpoints.STATE_FILE), "{\"step\": 1}");
        assertThat(GrpoCheckpoints.find(root, GrpoCheckpoints.BEST)).contains(current);
        assertThat(Files.readString(current.resolve(GrpoCheckpoints.STATE_FILE))).contains("2");
        assertThat(old).doesNotExist();
        assertThat(GrpoCheckpoints.find(root, GrpoCheckpoints.LATEST)).isEmpty();
    }
}
