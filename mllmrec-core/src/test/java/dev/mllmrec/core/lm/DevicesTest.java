package dev.mllmrec.core.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DevicesTest {

    private static final LmConfig TINY = LmConfig.Preset.TINY.config(50);

    @AfterEach
    void reset() {
        Devices.use((Device) null);
    }

    private static int gpus() {
        Engine e = Engine.getEngine("PyTorch");
        return e.hasCapability(StandardCapabilities.CUDA) ? e.getGpuCount() : 0;
    }

    @Test
    void namesParseToDevices() {
        assertThat(Devices.parse("cpu")).isEqualTo(Device.cpu());
        assertThat(Devices.parse(" CPU ")).isEqualTo(Device.cpu());
        assertThat(Devices.parse("auto")).isEqualTo(Engine.getEngine("PyTorch").defaultDevice());
        assertThatThrownBy(() -> Devices.parse("tpu")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'tpu'").hasMessageContaining("auto, cpu, gpu or gpu:N");
        assertThatThrownBy(() -> Devices.parse("gpu:x")).hasMessageContaining("'gpu:x'");
        assertThatThrownBy(() -> Devices.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aGpuThatIsNotThereIsRefusedNamingWhy() {
        int gpus = gpus();
        assertThatThrownBy(() -> Devices.parse("gpu:" + gpus)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'gpu:" + gpus + "' is not available")
                .hasMessageContaining("pytorch-native-cu128");
        if (gpus == 0) {
            assertThatThrownBy(() -> Devices.use("gpu")).hasMessageContaining("'gpu' is not available");
            assertThat(Devices.parse("auto")).isEqualTo(Device.cpu());
        }
    }

    @Test
    void modelsAreCreatedOnTheChosenDevice() {
        assertThat(Devices.use("cpu")).isEqualTo(Device.cpu());
        assertThat(Devices.current()).isEqualTo(Device.cpu());
        try (CausalLm lm = CausalLm.create(TINY, 1)) {
            assertThat(lm.manager().getDevice()).isEqualTo(Device.cpu());
            for (NDArray p : lm.parameters().values()) {
                assertThat(p.getDevice()).isEqualTo(Device.cpu());
            }
        }
        Devices.use((Device) null);
        String before = System.getProperty(Devices.PROPERTY);
        System.setProperty(Devices.PROPERTY, "cpu");
        try {
            assertThat(Devices.current()).isEqualTo(Device.cpu());
        } finally {
            if (before == null) {
                System.clearProperty(Devices.PROPERTY);
            } else {
                System.setProperty(Devices.PROPERTY, before);
            }
        }
    }

    /** Runs only where DJL's CUDA libtorch sees a GPU: the same weights give the same logits there as on the CPU. */
    @Test
    void aGpuModelComputesWhatTheCpuModelDoes() {
        assumeTrue(gpus() > 0, "no GPU visible to DJL's PyTorch engine");
        long[] tokens = {1, 5, 9, 13, 2, 7};
        float[] cpu;
        Devices.use(Device.cpu());
        try (CausalLm lm = CausalLm.create(TINY, 3); NDManager m = lm.manager().newSubManager();
             GradMode ignored = GradMode.disabled()) {
            cpu = lm.forward(m.create(tokens, new Shape(1, tokens.length))).toFloatArray();
        }
        Devices.use(Device.gpu(0));
        try (CausalLm lm = CausalLm.create(TINY, 3); NDManager m = lm.manager().newSubManager();
             GradMode ignored = GradMode.disabled()) {
            assertThat(lm.manager().getDevice()).isEqualTo(Device.gpu(0));
            float[] gpu = lm.forward(m.create(tokens, new Shape(1, tokens.length))).toFloatArray();
            assertThat(gpu).hasSameSizeAs(cpu);
            for (int i = 0; i < cpu.length; i++) {
                assertThat(gpu[i]).isCloseTo(cpu[i], org.assertj.core.data.Offset.offset(1e-4f));
            }
        }
    }
}
