package dev.mllmrec.examples.cli;

import dev.mllmrec.core.lm.Devices;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * {@code --device}: where the commands that train or rank with a DJL model put it ({@link Devices}). Without it the
 * {@value Devices#PROPERTY} property decides, else {@code auto}.
 */
final class DeviceOption {

    /** The commands that take {@code --device}, to which {@code pipeline} and {@code ablation} pass theirs on. */
    static final Set<String> COMMANDS = Set.of("train-sasrec", "train-sft", "train-grpo", "evaluate");

    @Option(names = "--device", paramLabel = "DEVICE",
            description = "Where the models train and rank: auto (the first GPU where DJL's CUDA libtorch and an "
                    + "NVIDIA driver are present, else the CPU), cpu, gpu or gpu:N. Default: the "
                    + Devices.PROPERTY + " system property, else auto.")
    String device;

    /**
     * Puts later models on the chosen device (nothing when the option is absent).
     *
     * @throws IllegalArgumentException naming the value when the device is unknown or not available
     */
    void apply() {
        if (device != null) {
            Devices.use(device);
        }
    }

    /** {@code stage} with {@code --device} appended when it is set and the stage takes it. */
    String[] forward(String[] stage) {
        if (device == null || stage.length == 0 || !COMMANDS.contains(stage[0])) {
            return stage;
        }
        List<String> out = new java.util.ArrayList<>(List.of(stage));
        out.add("--device");
        out.add(device);
        return out.toArray(String[]::new);
    }
}
