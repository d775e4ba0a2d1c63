package dev.mllmrec.core.textualize;

import java.util.List;

/**
 * The named colours captions speak of, each with a CIELAB anchor and an alternative name (used when the first name
 * would spell out an item's title). Thread-safe (immutable).
 *
 * @param name        the everyday name, for example {@code crimson}
 * @param alternative a second name for the same colour
 * @param l           CIELAB L*
 * @param a           CIELAB a*
 * @param b           CIELAB b*
 * @param neutral     whether it is a grey, black or white
 */
record NamedColor(String name, String alternative, float l, float a, float b, boolean neutral) {

    /** The table, about thirty colours. */
    static final List<NamedColor> TABLE = List.of(
            of("black", "jet", 0x0B0B0C, true),
            of("charcoal", "slate", 0x34363A, true),
            of("grey", "ash", 0x7D7F82, true),
            of("silver", "pewter", 0xC2C4C6, true),
            of("white", "ivory", 0xF6F6F4, true),
            of("cream", "eggshell", 0xEFE4C8, false),
            of("beige", "sand", 0xCDB894, false),
            of("tan", "camel", 0xA88460, false),
            of("brown", "chestnut", 0x6E4328, false),
            of("dark brown", "umber", 0x35231A, false),
            of("maroon", "wine", 0x5E1522, false),
            of("crimson", "scarlet", 0xB0182A, false),
            of("red", "vermilion", 0xE0281E, false),
            of("coral", "salmon", 0xEE7D66, false),
            of("pink", "rose", 0xF2A7BE, false),
            of("magenta", "fuchsia", 0xC2268C, false),
            of("purple", "violet", 0x5E2A84, false),
            of("lavender", "lilac", 0xB3A2D8, false),
            of("navy", "indigo", 0x15204F, false),
            of("blue", "cobalt", 0x2456C8, false),
            of("steel blue", "denim", 0x4F6F8F, false),
            of("sky blue", "azure", 0x88C2EA, false),
            of("teal", "petrol", 0x16706F, false),
            of("turquoise", "aqua", 0x3CC8C0, false),
            of("dark green", "pine", 0x1A3F27, false),
            of("green", "emerald", 0x3A9A44, false),
            of("olive", "khaki", 0x6E7433, false),
            of("lime", "chartreuse", 0xA8D040, false),
            of("gold", "mustard", 0xCF9E22, false),
            of("yellow", "lemon", 0xF2DE3A, false),
            of("orange", "tangerine", 0xEE7A1E, false),
            of("rust", "copper", 0x9C461E, false));

    private static NamedColor of(String name, String alternative, int rgb, boolean neutral) {
        float[] lab = new float[3];
        ColorMath.lab(rgb, lab, 0);
        return new NamedColor(name, alternative, lab[0], lab[1], lab[2], neutral);
    }

    /** The index in {@link #TABLE} of the colour nearest to (l, a, b) by CIE76 distance. */
    static int nearest(float l, float a, float b) {
        int best = 0;
        float bestD = Float.MAX_VALUE;
        for (int i = 0; i < TABLE.size(); i++) {
            NamedColor c = TABLE.get(i);
            float dl = l - c.l;
            float da = a - c.a;
            float db = b - c.b;
            float d = dl * dl + da * da + db * db;
            if (d < bestD) {
                bestD = d;
                best = i;
            }
        }
        return best;
    }

    /** The name, or the alternative when {@code alternative} is set. */
    String name(boolean alternative) {
        return alternative ? this.alternative : name;
    }
}
