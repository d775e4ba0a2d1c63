package dev.mllmrec.core.cot.llm;

import dev.mllmrec.api.Item;
import dev.mllmrec.core.http.ChatMessage;
import dev.mllmrec.core.http.ContentPart;
import dev.mllmrec.core.textualize.ImageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The prompts of the two-stage reasoning pipeline, following the MLLMRec-R1 reference implementation's structure
 * and step wording (pseudo chain of thought over images and titles, then refinement over captions into the four
 * steps used for training). One deliberate difference: the refinement prompt shows the target only when asked
 * ({@code showTarget}), because showing it lets the reasoning leak the answer.
 *
 * <p>Thread-safe: stateless.
 */
public final class ReasoningPrompts {

    private ReasoningPrompts() {
    }

    /** The four-step instruction of the vision model's pseudo chain of thought ({@code domain}: "movie"). */
    public static String pseudoInstruction(String domain) {
        return "You are an expert in " + domain + " recommendation analysis. Use the Chain-of-Thought format:\n"
                + "Step 1: Extract the key multimodal attributes of the history items from both the images and the"
                + " titles: genre, visual style, colour tone, scenes, actors or thematic elements.\n"
                + "Step 2: Infer the user's stable preference patterns.\n"
                + "Step 3: From these patterns, describe the characteristics of the most likely next " + domain
                + " (or propose one to three plausible ones) and explain why they match the user's interests. Do not"
                + " assume the ground-truth next item is known and do not refer to any final or last item.\n"
                + "Step 4: Conclude briefly, summarising the reasoning and the predicted preference profile.\n"
                + "Write 4-6 sentences in English, citing cues from earlier interactions to justify the prediction.";
    }

    /**
     * The vision model's message: the history's images and titles, oldest first, then the instruction.
     *
     * @param images each item's encoded image, or {@code null} when it has none (the title is still sent)
     */
    public static List<ChatMessage> pseudoMessages(String userId, List<Item> history, Function<Item, byte[]> images,
                                                   String domain) {
        List<ContentPart> parts = new ArrayList<>();
        parts.add(ContentPart.text("User id: " + userId + ".\nBelow are the user's most recent " + history.size()
                + " interactions with " + domain + "s (images + titles) in chronological order."));
        for (int i = 0; i < history.size(); i++) {
            Item item = history.get(i);
            byte[] image = images.apply(item);
            if (image != null) {
                ImageFormat format = ImageFormat.sniff(image);
                parts.add(ContentPart.imageData(format == null ? ImageFormat.JPEG.mimeType() : format.mimeType(),
                        image));
            }
            parts.add(ContentPart.text("History item " + (i + 1) + ": " + item.title() + " (id=" + item.id()
                    + ")."));
        }
        parts.add(ContentPart.text(pseudoInstruction(domain)));
        return List.of(new ChatMessage("user", parts));
    }

    /** The refinement's closing instruction: the four steps used for training, and the output rules. */
    public static String refineInstruction() {
        return "Reason about the user's NEXT interaction based only on the history captions.\n\n"
                + "Step 1: Extract the most discriminative preference signals from the history captions.\n"
                + "Step 2: Infer the most likely next-step intent and describe what the next item should look like.\n"
                + "Step 3: Provide 3-5 retrieval criteria (keywords/visual cues/themes/mood/genre) that would best"
                + " retrieve the true next item.\n"
                + "Step 4: Give a short summary of the predicted next item profile in one sentence.\n\n"
                + "Rules:\n"
                + "- Focus on the NEXT interaction intent, not a summary of the past.\n"
                + "- Output MUST be consecutive plain-text lines starting with Step 1:, Step 2:, Step 3: and Step 4:,"
                + " exactly in this format.\n"
                + "- Reason in a predictive, forward-looking manner.\n"
                + "- Write 4-6 fluent English sentences.\n"
                + "- Do not name any item id or any specific title as the answer.";
    }

    /**
     * The reasoning model's prompt over captions.
     *
     * @param captionOf   an item's caption, or {@code null}
     * @param pseudoCot   the vision model's pseudo chain of thought, or {@code null}
     * @param shownTarget the target to show (a leakage risk: the reference does this), or {@code null}
     */
    public static String refinePrompt(String userId, List<Item> history, Function<Item, String> captionOf,
                                      String pseudoCot, Item shownTarget) {
        StringBuilder sb = new StringBuilder();
        sb.append("User ID: ").append(userId).append('\n')
                .append("We provide titles and captions extracted from images.\n")
                .append("Now generate final reasoning WITHOUT image input, using captions instead.\n");
        for (int i = 0; i < history.size(); i++) {
            Item item = history.get(i);
            sb.append("\nHistory Item ").append(i + 1).append(":\n");
            appendItem(sb, item, captionOf);
        }
        if (shownTarget != null) {
            sb.append("\nFinal Target Item:\n");
            appendItem(sb, shownTarget, captionOf);
        }
        if (pseudoCot != null && !pseudoCot.isBlank()) {
            sb.append("\nWe also provide a pseudo chain-of-thought reasoning previously generated:\n")
                    .append("(This reasoning may be noisy. Learn its structure and improve clarity while keeping the"
                            + " logic consistent.)\n")
                    .append(pseudoCot.strip()).append('\n');
        }
        sb.append('\n').append(refineInstruction());
        return sb.toString();
    }

    private static void appendItem(StringBuilder sb, Item item, Function<Item, String> captionOf) {
        String caption = captionOf.apply(item);
        sb.append("Title: ").append(item.title()).append(" (id=").append(item.id()).append(")\n")
                .append("Caption: ").append(caption == null || caption.isBlank() ? "None" : caption.strip())
                .append('\n');
    }
}
