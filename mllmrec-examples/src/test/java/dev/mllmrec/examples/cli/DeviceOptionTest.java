package dev.mllmrec.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeviceOptionTest {

    @Test
    void thePipelinePassesItsDeviceToTheStagesThatTrainOrRank() {
        DeviceOption none = new DeviceOption();
        String[] sft = {"train-sft", "--work-dir", "w"};
        assertThat(none.forward(sft)).isSameAs(sft);

        DeviceOption gpu = new DeviceOption();
        gpu.device = "gpu:1";
        for (String command : DeviceOption.COMMANDS) {
            assertThat(gpu.forward(new String[] {command, "--work-dir", "w"}))
                    .containsExactly(command, "--work-dir", "w", "--device", "gpu:1");
        }
        String[] prepare = {"prepare", "--work-dir", "w"};
        assertThat(gpu.forward(prepare)).isSameAs(prepare);
    }
}
