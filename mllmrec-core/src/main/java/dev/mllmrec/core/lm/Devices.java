package dev.mllmrec.core.lm;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.ndarray.NDManager;
import java.util.Locale;

/**
 * The device the library's models live on: the built-in policy ({@link CausalLm}), pretrained decoders, SASRec and
 * the GRPO loss create their arrays in base managers from {@link #newManager()}, so every array a training step or
 * a ranking makes follows them there.
 *
 * <p>The choice is process-wide, like DJL's own default device: {@link #use} sets it, else the system property
 * {@value #PROPERTY} ({@code auto}, {@code cpu}, {@code gpu} or {@code gpu:N}; the command line's {@code --device}
 * sets it), else {@code auto}: DJL's default device, the first GPU where the libtorch build and the machine have
 * CUDA, the CPU otherwise. A GPU needs DJL's CUDA build of libtorch in place of {@code pytorch-native-cpu}
 * ({@code docs/packaging.md}). Models already created stay where they are.
 */
public final class Devices {

    /** The system property naming the device when {@link #use} has not: {@code auto}, {@code cpu}, {@code gpu:N}. */
    public static final String PROPERTY = "mllmrec.device";

    private static volatile Device chosen;

    private Devices() {
    }

    /** The device new models are created on. */
    public static Device current() {
        Device d = chosen;
        return d != null ? d : parse(System.getProperty(PROPERTY, "auto"));
    }

    /** Creates later models on {@code device} ({@code null}: back to the property or {@code auto}). */
    public static void use(Device device) {
        chosen = device;
    }

    /**
     * Creates later models on the device named {@code spec} (see {@link #parse}).
     *
     * @return the device chosen
     */
    public static Device use(String spec) {
        Device d = parse(spec);
        chosen = d;
        return d;
    }

    /** A new base manager of the PyTorch engine on {@link #current()}. */
    public static NDManager newManager() {
        return NDManager.newBaseManager(current(), "PyTorch");
    }

    /**
     * The device named {@code spec}: {@code auto} (DJL's default), {@code cpu}, {@code gpu} (the first GPU) or
     * {@code gpu:N} ({@code cuda} and {@code cuda:N} too), any case.
     *
     * @throws IllegalArgumentException naming the value when it is none of these, or when it names a GPU that the
     *                                  PyTorch engine cannot use (a CPU build of libtorch, no driver, or fewer GPUs)
     */
    public static Device parse(String spec) {
        String s = spec == null ? "" : spec.strip().toLowerCase(Locale.ROOT);
        if (s.equals("auto")) {
            return engine().defaultDevice();
        }
        if (s.equals("cpu")) {
            return Device.cpu();
        }
        int index;
        if (s.equals("gpu") || s.equals("cuda")) {
            index = 0;
        } else if (s.matches("(gpu|cuda):\\d{1,4}")) {
            index = Integer.parseInt(s.substring(s.indexOf(':') + 1));
        } else {
            throw new IllegalArgumentException("Unknown device '" + spec + "'; use auto, cpu, gpu or gpu:N.");
        }
        Engine engine = engine();
        boolean cuda = engine.hasCapability(StandardCapabilities.CUDA);
        int gpus = cuda ? engine.getGpuCount() : 0;
        if (index >= gpus) {
            throw new IllegalArgumentException("Device '" + spec + "' is not available: the PyTorch engine "
                    + (cuda ? "sees " + gpus + " GPU" + (gpus == 1 ? "" : "s")
                            : "runs a libtorch build without CUDA (" + engine.getVersion() + ")")
                    + ". A GPU needs DJL's CUDA libtorch (pytorch-native-cu128 instead of pytorch-native-cpu) "
                    + "and an NVIDIA driver; use cpu or auto.");
        }
        return Device.gpu(index);
    }

    private static Engine engine() {
        return Engine.getEngine("PyTorch");
    }
}
