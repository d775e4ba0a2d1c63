package dev.mllmrec.examples.cli;

import java.util.Locale;

/** The value of {@code --chat-template}: {@code auto} (the base model's or the recorded template) or {@code none}. */
final class ChatTemplateOption {

    /** The option's default. */
    static final String AUTO = "auto";

    private ChatTemplateOption() {
    }

    /** True for {@code auto}, false for {@code none}. */
    static boolean apply(String value) {
        String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "auto" -> true;
            case "none" -> false;
            default -> throw new IllegalArgumentException("Unknown --chat-template '" + value + "'; use auto (the "
                    + "base model's template) or none (plain prompts).");
        };
    }
}
