package dev.mllmrec.core.cot;

import dev.mllmrec.api.CotTrace;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a reasoning text into a {@link CotTrace} with its four steps. Tolerated: markdown bold, headings and
 * bullets around the step labels ({@code **Step 1:**}, {@code ### Step 1.}), any case, no space ({@code Step1:}),
 * number words and Roman numerals ({@code Step One:}, {@code Step IV:}), separators {@code : . ) - –} at a line
 * start (mid-line labels need a colon so that "as in step 2." is not a label), a leading {@code <think>…</think>}
 * block of a reasoning model, and, when no "Step" label exists at all, lines numbered {@code 1.} … {@code 4.}.
 * A text without steps 1–4 in order, with an empty step, or with a fifth step is kept with {@code valid = false}.
 *
 * <p>Thread-safe: stateless.
 */
public final class CotParser {

    private static final Pattern THINK = Pattern.compile("(?is)<think>.*?</think>");
    private static final Pattern LABEL = Pattern.compile(
            "(?im)(^[ \\t>*_#\\-]*)?\\bstep[ \\t]*(?:\\*\\*|__)?[ \\t]*"
                    + "([1-9]|one|two|three|four|five|iv|v|i{1,3})\\b[ \\t]*(?:\\*\\*|__)?[ \\t]*([:.)\\-–—])?");
    private static final Pattern NUMBERED = Pattern.compile("(?m)^[ \\t>*_#\\-]*(?:\\*\\*)?([1-9])[.)][ \\t]+");

    private CotParser() {
    }

    /** Parses {@code text}, recording the sample and generator ids. */
    public static CotTrace parse(String sampleId, String generatorId, String text) {
        String body = THINK.matcher(text).replaceAll(" ");
        List<int[]> labels = labels(body);
        if (labels.stream().noneMatch(l -> l[0] == 1)) {
            labels = numbered(body);
        }
        List<String> steps = new ArrayList<>(4);
        int[] current = null;
        int end = body.length();
        boolean extra = false;
        int next = 1;
        for (int[] l : labels) {
            if (current != null && l[1] < current[2]) {
                continue;
            }
            if (next <= 4 && l[0] == next) {
                if (current != null) {
                    steps.add(clean(body.substring(current[2], l[1])));
                }
                current = l;
                next++;
            } else if (next == 5) {
                // Whatever label follows Step 4 ends it: a fifth step makes the trace invalid, a repeated block
                // is dropped.
                end = l[1];
                extra = l[0] > 4;
                break;
            }
        }
        if (current != null && next == 5) {
            steps.add(clean(body.substring(current[2], end)));
        }
        boolean complete = steps.size() == 4 && !extra && steps.stream().noneMatch(String::isEmpty);
        return new CotTrace(sampleId, generatorId, text, steps.size() == 4 ? steps : List.of(), complete);
    }

    /** The canonical text {@code Step 1: …\nStep 2: …\nStep 3: …\nStep 4: …} of a valid trace, else its raw text. */
    public static String canonical(CotTrace trace) {
        if (!trace.valid()) {
            return trace.text().strip();
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 4; i++) {
            if (i > 1) {
                sb.append('\n');
            }
            sb.append("Step ").append(i).append(": ").append(trace.step(i));
        }
        return sb.toString();
    }

    /** Each label as {number, start, contentStart}. */
    private static List<int[]> labels(String body) {
        List<int[]> out = new ArrayList<>();
        Matcher m = LABEL.matcher(body);
        while (m.find()) {
            boolean lineStart = m.group(1) != null;
            String sep = m.group(3);
            if (!lineStart && !":".equals(sep)) {
                continue;
            }
            if (lineStart && sep == null && !restOfLineBlankOrText(body, m.end())) {
                continue;
            }
            int n = number(m.group(2));
            if (n > 0) {
                out.add(new int[] {n, m.start(), m.end()});
            }
        }
        return out;
    }

    private static boolean restOfLineBlankOrText(String body, int from) {
        // "Step 1" alone on its line (a heading) counts; "step 1 of the plan" inside prose at a line start does too
        // only when followed by a newline.
        int nl = body.indexOf('\n', from);
        String rest = (nl < 0 ? body.substring(from) : body.substring(from, nl)).strip();
        return rest.isEmpty() || rest.equals("**") || rest.equals("__");
    }

    private static List<int[]> numbered(String body) {
        List<int[]> out = new ArrayList<>();
        Matcher m = NUMBERED.matcher(body);
        while (m.find()) {
            out.add(new int[] {Integer.parseInt(m.group(1)), m.start(), m.end()});
        }
        return out;
    }

    private static int number(String token) {
        switch (token.toLowerCase(Locale.ROOT)) {
            case "one": case "i": return 1;
            case "two": case "ii": return 2;
            case "three": case "iii": return 3;
            case "four": case "iv": return 4;
            case "five": case "v": return 5;
            default:
                return Integer.parseInt(token);
        }
    }

    private static String clean(String s) {
        String t = s.replace("**", "").replace("__", "");
        t = t.replaceAll("(?m)^[ \\t]*#+[ \\t]*", "");
        t = t.replaceAll("\\s+", " ").strip();
        // A dangling separator left by "**Step 1**:" styles.
        while (!t.isEmpty() && (t.charAt(0) == ':' || t.charAt(0) == '-' || t.charAt(0) == '.')) {
            t = t.substring(1).strip();
        }
        return t;
    }
}
