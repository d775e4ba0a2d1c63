package dev.mllmrec.core.prompt;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.ItemTokens;
import dev.mllmrec.api.RankingRequest;
import dev.mllmrec.api.RecommendationSample;
import dev.mllmrec.core.text.PromptText;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Builds the MLLMRec-R1 prompt, word for word as the reference implementation
 * ({@code train/utils/data_loader.py}, {@code RecSFTDataset._build_prompt}) does:
 *
 * <pre>
 * You are a movie recommendation assistant.
 * Here are the user's most recently watched movies sequence:
 * 1. [ITEM_1] Toy Story (1995)
 * 2. [ITEM_2] Jumanji (1995)
 *
 * Candidate movies:
 * [ITEM_3] Heat (1995)
 * ...
 *
 * Possible reasoning process to help predict the next item, for reference ONLY.   (only with reasoning)
 * &lt;think&gt;
 * ...reasoning...
 * &lt;/think&gt;
 *
 * Now answer the following question.
 * Only output in format [ITEM_xxxx] Movie Title.
 * No additional caption, summary, comments, or explanation.
 * </pre>
 *
 * Lines are joined with {@code \n}; without reasoning, two empty lines separate the candidates from the answer
 * instruction, as in the reference. With a caption lookup, an item line reads {@code [ITEM_<id>] <title> — <caption>}
 * (the reference's caption form). Optionally the reference's GRPO output guidelines are appended, and a pretrained
 * model's {@link ChatTemplate} wraps the whole prompt as its user turn (answers are never wrapped: they are what
 * the model writes after the template's assistant opening).
 *
 * <p>Immutable and thread-safe (provided the caption lookup is).
 */
public final class PromptBuilder {

    /** The opening instruction. */
    public static final String INSTRUCTION = "You are a movie recommendation assistant.";
    /** The line before the history. */
    public static final String HISTORY_HEADER = "Here are the user's most recently watched movies sequence:";
    /** The line before the candidates. */
    public static final String CANDIDATES_HEADER = "Candidate movies:";
    /** The line before an injected reasoning block. */
    public static final String REASONING_HEADER =
            "Possible reasoning process to help predict the next item, for reference ONLY.";
    /** Opens the reasoning block. */
    public static final String THINK_OPEN = "<think>";
    /** Closes the reasoning block. */
    public static final String THINK_CLOSE = "</think>";
    /** The answer instruction (three lines). */
    public static final String ANSWER_INSTRUCTION = "Now answer the following question.\n"
            + "Only output in format [ITEM_xxxx] Movie Title.\n"
            + "No additional caption, summary, comments, or explanation.";
    /** The reference's GRPO output guidelines, appended verbatim to GRPO prompts. */
    public static final String GRPO_GUIDELINES = "\n\n[OUTPUT GUIDELINES]\n"
            + "You MUST answer with only one movie from candidate movies.\n"
            + "The output token MUST be in the form:\n"
            + "[ITEM_xxxx] Movie Title\n\n"
            + "If you want to provide reasoning, you may append it ONLY after answer\n"
            + "in a single line using:\n"
            + "<think> your reasoning here </think>\n\n";
    /** Separates a title from its caption. */
    public static final String CAPTION_SEPARATOR = " — ";
    /** The title shown for an id the catalog does not hold (the reference's fallback). */
    public static final String UNKNOWN_TITLE = "Unknown Title";
    /** The most title words an answer line carries (23 of the 2,947 MovieLens poster titles have more). */
    public static final int ANSWER_TITLE_WORDS = 12;

    /**
     * How much text a prompt carries.
     */
    public enum Style {
        /** The reference prompt, word for word (the default). */
        REFERENCE,
        /**
         * The same content without the prose: item tokens only (no titles or captions) on three short lines,
         * {@code candidates: [ITEM_7] [ITEM_3] ...}, {@code history: [ITEM_1] [ITEM_2] ...}, an optional
         * {@code <think> ... </think>} line and {@code answer:}; the history comes last so that it ends right before
         * the answer, as in item-sequence pre-training. About six times shorter than {@link #REFERENCE}, which is what lets the
         * built-in policy, trained from scratch, learn the collaborative signal on a 2-core CPU; the answer keeps
         * the reference form {@code [ITEM_<id>] <title>}.
         */
        COMPACT,
        /**
         * The history alone, {@code history:[ITEM_1] [ITEM_2] ... } (each item followed by a space), with no
         * candidates and no answer cue: token for token the format of item-sequence pre-training
         * ({@code ItemSequenceWindows}), where the next item token follows the space after the last item. Useful to validate a pre-trained policy before it has seen a prompt.
         */
        SEQUENCE;

        /** The style named {@code name} (case-insensitive). */
        public static Style of(String name) {
            for (Style s : values()) {
                if (s.name().equalsIgnoreCase(name.strip())) {
                    return s;
                }
            }
            throw new IllegalArgumentException("Unknown prompt style '" + name + "'; use reference, compact or sequence.");
        }
    }

    /** Opens the compact history line. */
    public static final String COMPACT_HISTORY = "history:";

    /**
     * The item tokens of {@code items} separated by single spaces ({@code [ITEM_a] [ITEM_b]}): the body of an
     * item-sequence pre-training window, and so of the {@link Style#SEQUENCE} prompt that scores its next item.
     */
    public static String itemSequence(List<Integer> items) {
        StringBuilder sb = new StringBuilder();
        for (Integer id : items) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(ItemTokens.token(id));
        }
        return sb.toString();
    }
    /** Opens the compact candidate line. */
    public static final String COMPACT_CANDIDATES = "candidates:";
    /** Ends a compact prompt. */
    public static final String COMPACT_ANSWER = "answer:";

    private final Function<Integer, String> titles;
    private final Function<Integer, String> captions;
    private final boolean grpoGuidelines;
    private final Style style;
    private final ChatTemplate chatTemplate;

    private PromptBuilder(Builder b) {
        this.titles = b.titles;
        this.captions = b.captions;
        this.grpoGuidelines = b.grpoGuidelines;
        this.style = b.style;
        this.chatTemplate = b.chatTemplate;
    }

    /** The chat template prompts are wrapped in ({@link ChatTemplate#none()} by default). */
    public ChatTemplate chatTemplate() {
        return chatTemplate;
    }

    /** The prompt style. */
    public Style style() {
        return style;
    }

    /**
     * This builder with another style, the same titles, captions, guidelines and chat template ({@code this} when
     * the style is already {@code style}).
     */
    public PromptBuilder withStyle(Style style) {
        if (style == this.style) {
            return this;
        }
        Builder b = builder().setTitles(titles).optCaptions(captions).optGrpoGuidelines(grpoGuidelines)
                .optChatTemplate(chatTemplate).optStyle(style);
        return b.build();
    }

    /** A builder; a title source ({@link Builder#setCatalog} or {@link Builder#setTitles}) is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** A prompt builder over a catalog's titles, without captions. */
    public static PromptBuilder of(Catalog catalog) {
        return builder().setCatalog(catalog).build();
    }

    /** The prompt for a sample, without reasoning. */
    public String prompt(RecommendationSample sample) {
        return prompt(sample.history(), sample.candidates(), null);
    }

    /** The prompt for a sample with an optional reasoning block ({@code null} or blank: none). */
    public String prompt(RecommendationSample sample, String reasoning) {
        return prompt(sample.history(), sample.candidates(), reasoning);
    }

    /** The prompt for a ranking request, without reasoning. */
    public String prompt(RankingRequest request) {
        return prompt(request.history(), request.candidates(), null);
    }

    /**
     * The prompt for a history and candidate list with an optional reasoning block, wrapped in the chat template
     * when one is set.
     */
    public String prompt(List<Integer> history, List<Integer> candidates, String reasoning) {
        return chatTemplate.wrap(content(history, candidates, reasoning));
    }

    private String content(List<Integer> history, List<Integer> candidates, String reasoning) {
        reasoning = PromptText.reasoning(reasoning);
        if (style == Style.COMPACT) {
            return compact(history, candidates, reasoning);
        }
        if (style == Style.SEQUENCE) {
            // Exactly the tokens of a pre-training window up to the next item: "history:" directly followed by
            // the items, each followed by the space token that precedes the next item in training.
            return history.isEmpty() ? COMPACT_HISTORY : COMPACT_HISTORY + itemSequence(history) + ' ';
        }
        List<String> lines = new ArrayList<>();
        lines.add(INSTRUCTION);
        lines.add(HISTORY_HEADER);
        for (int i = 0; i < history.size(); i++) {
            lines.add((i + 1) + ". " + itemLine(history.get(i)));
        }
        lines.add("");
        lines.add(CANDIDATES_HEADER);
        for (Integer c : candidates) {
            lines.add(itemLine(c));
        }
        lines.add("");
        if (reasoning != null && !reasoning.isBlank()) {
            lines.add(REASONING_HEADER);
            lines.add(THINK_OPEN);
            lines.add(reasoning);
            lines.add(THINK_CLOSE);
        }
        lines.add("");
        lines.add(ANSWER_INSTRUCTION);
        String prompt = String.join("\n", lines);
        return grpoGuidelines ? prompt + GRPO_GUIDELINES : prompt;
    }

    private static String compact(List<Integer> history, List<Integer> candidates, String reasoning) {
        // Candidates first, so that the history ends right before the answer cue, as in item-sequence
        // pre-training: the pre-trained next-item prediction carries over to the prompt instead of being relearnt.
        StringBuilder sb = new StringBuilder(COMPACT_CANDIDATES);
        for (Integer c : candidates) {
            sb.append(' ').append(ItemTokens.token(c));
        }
        sb.append('\n').append(COMPACT_HISTORY);
        for (Integer h : history) {
            sb.append(' ').append(ItemTokens.token(h));
        }
        sb.append('\n');
        if (reasoning != null && !reasoning.isBlank()) {
            sb.append(THINK_OPEN).append(' ').append(reasoning.strip().replace('\n', ' ')).append(' ')
                    .append(THINK_CLOSE).append('\n');
        }
        return sb.append(COMPACT_ANSWER).toString();
    }

    /** {@code [ITEM_<id>] <title>}, with {@code  — <caption>} when the lookup has a non-blank caption. */
    public String itemLine(int id) {
        String text = title(id);
        if (captions != null) {
            String caption = PromptText.normalise(captions.apply(id), PromptText.Kind.CAPTION);
            if (caption != null && !caption.isBlank()) {
                text = text + CAPTION_SEPARATOR + caption.strip();
            }
        }
        return ItemTokens.token(id) + " " + text;
    }

    /** The expected answer of a sample: {@code [ITEM_<target>] <title>} (never a caption). */
    public String answer(RecommendationSample sample) {
        return answer(sample.target());
    }

    /**
     * The answer naming item {@code id}: {@code [ITEM_<id>] <title>}, the title cut after its first
     * {@link #ANSWER_TITLE_WORDS} words so that every answer fits a short completion budget whatever the dataset's
     * titles (the item token alone identifies the item: parsing stays exact).
     */
    public String answer(int id) {
        String title = title(id);
        String[] words = title.split(" ");
        if (words.length > ANSWER_TITLE_WORDS) {
            title = String.join(" ", java.util.Arrays.copyOf(words, ANSWER_TITLE_WORDS));
        }
        return ItemTokens.token(id) + " " + title;
    }

    /** The title of {@code id} under the prompt-text rule ({@link PromptText}), whatever its source. */
    private String title(int id) {
        String t = PromptText.title(titles.apply(id));
        return t == null || t.isBlank() ? UNKNOWN_TITLE : t;
    }

    /** Configures a {@link PromptBuilder}. */
    public static final class Builder {
        private Function<Integer, String> titles;
        private Function<Integer, String> captions;
        private boolean grpoGuidelines;
        private Style style = Style.REFERENCE;
        private ChatTemplate chatTemplate = ChatTemplate.none();

        private Builder() {
        }

        /**
         * Wraps every prompt in a pretrained model's chat format (default {@link ChatTemplate#none()}: the prompt as
         * it is, which the built-in policy is trained on).
         */
        public Builder optChatTemplate(ChatTemplate template) {
            this.chatTemplate = Objects.requireNonNull(template, "template");
            return this;
        }

        /** The prompt style (default {@link Style#REFERENCE}). */
        public Builder optStyle(Style style) {
            this.style = Objects.requireNonNull(style, "style");
            return this;
        }

        /** Titles from a catalog (required, or {@link #setTitles}). */
        public Builder setCatalog(Catalog catalog) {
            Objects.requireNonNull(catalog, "catalog");
            this.titles = id -> {
                Item item = catalog.find(id);
                return item == null ? null : item.title();
            };
            return this;
        }

        /** Titles from a lookup that returns {@code null} for unknown ids (required, or {@link #setCatalog}). */
        public Builder setTitles(Function<Integer, String> titles) {
            this.titles = titles;
            return this;
        }

        /** Captions appended to item lines; the lookup returns {@code null} or blank for "no caption". */
        public Builder optCaptions(Function<Integer, String> captions) {
            this.captions = captions;
            return this;
        }

        /** Appends the reference's GRPO output guidelines (default false). */
        public Builder optGrpoGuidelines(boolean grpoGuidelines) {
            this.grpoGuidelines = grpoGuidelines;
            return this;
        }

        /**
         * Builds.
         *
         * @throws IllegalArgumentException if no title source was set
         */
        public PromptBuilder build() {
            if (titles == null) {
                throw new IllegalArgumentException("A PromptBuilder needs a title source: call setCatalog or setTitles.");
            }
            return new PromptBuilder(this);
        }
    }
}
