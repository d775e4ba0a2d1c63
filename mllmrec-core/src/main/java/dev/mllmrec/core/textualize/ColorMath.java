package dev.mllmrec.core.textualize;

/** sRGB to CIELAB (D65) without allocation. Thread-safe (stateless; the table is immutable after class init). */
final class ColorMath {

    private static final float[] LINEAR = new float[256];
    /** f(t) = cbrt(t) (or its linear toe) sampled on [0, F_MAX] for linear interpolation. */
    private static final int F_STEPS = 4096;
    private static final double F_MAX = 1.1;
    private static final float[] F = new float[F_STEPS + 2];

    static {
        for (int i = 0; i < 256; i++) {
            double c = i / 255.0;
            LINEAR[i] = (float) (c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4));
        }
        for (int i = 0; i < F.length; i++) {
            F[i] = (float) fExact(i * F_MAX / F_STEPS);
        }
    }

    private ColorMath() {
    }

    /** Writes L*, a*, b* of packed 0xRRGGBB into {@code out[off..off+2]}. */
    static void lab(int rgb, float[] out, int off) {
        float r = LINEAR[rgb >>> 16 & 0xFF];
        float g = LINEAR[rgb >>> 8 & 0xFF];
        float b = LINEAR[rgb & 0xFF];
        double x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047;
        double y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b;
        double z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883;
        double fx = f(x);
        double fy = f(y);
        double fz = f(z);
        out[off] = (float) (116 * fy - 16);
        out[off + 1] = (float) (500 * (fx - fy));
        out[off + 2] = (float) (200 * (fy - fz));
    }

    private static double f(double t) {
        double pos = t * (F_STEPS / F_MAX);
        if (pos < 0 || pos >= F_STEPS) {
            return fExact(t);
        }
        int i = (int) pos;
        double frac = pos - i;
        return F[i] + (F[i + 1] - F[i]) * frac;
    }

    private static double fExact(double t) {
        return t > 0.008856451679035631 ? Math.cbrt(t) : t * 7.787037037037037 + 16.0 / 116.0;
    }
}
