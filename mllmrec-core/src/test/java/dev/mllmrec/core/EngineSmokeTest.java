package dev.mllmrec.core;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class EngineSmokeTest {

    @Test
    void pytorchEngineLoadsOfflineAndComputes() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray a = manager.create(new float[] {1, 2, 3});
            assertThat(a.mul(2).sum().getFloat()).isEqualTo(12f);
        }
    }
}
