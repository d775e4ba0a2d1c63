package dev.mllmrec.core.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mllmrec.core.Json;
import dev.mllmrec.core.lm.tokenizer.HfTextTokenizer;
import dev.mllmrec.core.rec.PolicyBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chat templates recognised from their Jinja source: the real Qwen3 {@code tokenizer_config.json} gives exactly the
 * token ids of Hugging Face's {@code apply_chat_template(..., add_generation_prompt=True, enable_thinking=False)};
 * Qwen2's and Llama 3.0's templates render their known text; unknown ones are refused naming the file.
 */
class ChatTemplateTest {

    /** Qwen2-Instruct's template (Jinja source, as tokenizer_config.json holds it once its JSON is decoded). */
    static final String QWEN2 = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
            + "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}{{'<|im_start|>' + "
            + "message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if "
            + "add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    /** Llama 3.0-Instruct's template. */
    static final String LLAMA3 = "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = "
            + "'<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + "
            + "'<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}"
            + "{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}"
            + "{% endif %}";

    static Path qwen3Tokenizer() {
        Path dir = Path.of(System.getProperty("mllmrec.shared.dir", "../../shared")).resolve("data/tokenizers/qwen3");
        Assumptions.assumeTrue(Files.isRegularFile(dir.resolve(ChatTemplate.CONFIG_FILE)),
                "The shared Qwen3 tokenizer is missing: " + dir);
        return dir;
    }

    @Test
    void qwen3sTemplateGivesTheIdsOfApplyChatTemplateWithThinkingOff() {
        Path dir = qwen3Tokenizer();
        ChatTemplate t = ChatTemplate.detect(dir);
        assertThat(t).isEqualTo(ChatTemplate.qwen3());
        assertThat(t.wrap("Hello")).isEqualTo(
                "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
        try (HfTextTokenizer tok = HfTextTokenizer.load(dir.resolve("tokenizer.json"))) {
            // Published outputs of Hugging Face's Qwen3 tokenizer (ChatML ids, then the empty think block).
            assertThat(tok.encode(t.wrap("Hello"))).containsExactly(
                    151644, 872, 198, 9707, 151645, 198, 151644, 77091, 198, 151667, 271, 151668, 271);
            assertThat(tok.encode(t.wrap("a cat on a skateboard"))).containsExactly(
                    151644, 872, 198, 64, 8251, 389, 264, 97982, 151645, 198, 151644, 77091, 198, 151667, 271,
                    151668, 271);
            assertThat(tok.specialTokens().eos()).isEqualTo(151645); // <|im_end|> ends the assistant's turn

            // A reference prompt: its content keeps its own ids inside the turn, and an answer encoded on its
            // own continues the wrapped prompt exactly as the text encoded in one piece (what SFT relies on).
            PromptBuilder plain = PromptBuilder.builder().setTitles(id -> "Movie " + id + " (1999)").build();
            PromptBuilder wrapped = PromptBuilder.builder().setTitles(id -> "Movie " + id + " (1999)")
                    .optChatTemplate(t).build();
            assertThat(wrapped.chatTemplate()).isEqualTo(t);
            String content = plain.prompt(List.of(11, 12), List.of(21, 22), "The user likes 1990s films.");
            String prompt = wrapped.prompt(List.of(11, 12), List.of(21, 22), "The user likes 1990s films.");
            assertThat(prompt).isEqualTo(t.wrap(content));
            int[] ids = tok.encode(prompt);
            int[] inner = tok.encode(content);
            assertThat(Arrays.copyOfRange(ids, 0, 3)).containsExactly(151644, 872, 198);
            assertThat(Arrays.copyOfRange(ids, 3, 3 + inner.length)).containsExactly(inner);
            assertThat(Arrays.copyOfRange(ids, 3 + inner.length, ids.length))
                    .containsExactly(151645, 198, 151644, 77091, 198, 151667, 271, 151668, 271);
            String answer = wrapped.answer(22);
            assertThat(answer).isEqualTo("[ITEM_22] Movie 22 (1999)");
            int[] answerIds = tok.encode(answer);
            int[] joined = IntStream.concat(Arrays.stream(ids), Arrays.stream(answerIds)).toArray();
            assertThat(tok.encode(prompt + answer)).containsExactly(joined);
        }
    }

    @Test
    void chatMlKeepsTheTemplatesDefaultSystemTurn() {
        ChatTemplate t = ChatTemplate.recognise(QWEN2, null, "qwen2/tokenizer_config.json");
        assertThat(t.kind()).isEqualTo(ChatTemplate.Kind.CHATML);
        assertThat(t.system()).isEqualTo("You are a helpful assistant.");
        assertThat(t.wrap("Hi")).isEqualTo("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
        // Qwen2.5's default system text; a template whose system turn is only the caller's has none.
        String qwen25 = "{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\\n' + messages[0]['content']"
                + " + '<|im_end|>\\n' }}{%- else %}{{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud."
                + " You are a helpful assistant.<|im_end|>\\n' }}{%- endif %}{{- '<|im_start|>assistant\\n' }}";
        assertThat(ChatTemplate.recognise(qwen25, null, "x").system())
                .isEqualTo("You are Qwen, created by Alibaba Cloud. You are a helpful assistant.");
        String bare = "{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\\n' + messages[0]['content']"
                + " + '<|im_end|>\\n' }}{%- endif %}{{- '<|im_start|>assistant\\n' }}";
        assertThat(ChatTemplate.recognise(bare, null, "x")).isEqualTo(ChatTemplate.chatMl(null));
        assertThat(ChatTemplate.chatMl(null).wrap("Hi"))
                .isEqualTo("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void llama3RendersItsHeadersAfterTheBosToken(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(ChatTemplate.CONFIG_FILE), Json.line(Map.of("chat_template", LLAMA3,
                "bos_token", "<|begin_of_text|>", "eos_token", "<|eot_id|>")));
        ChatTemplate t = ChatTemplate.detect(dir);
        assertThat(t).isEqualTo(ChatTemplate.llama3("<|begin_of_text|>"));
        assertThat(t.wrap("  Hi there\n")).isEqualTo("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n"
                + "Hi there<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    @Test
    void unknownTemplatesAreRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        Path config = dir.resolve(ChatTemplate.CONFIG_FILE);
        Files.writeString(config, Json.line(Map.of("chat_template",
                "{% for m in messages %}<start_of_turn>{{ m['role'] }}\n{{ m['content'] }}<end_of_turn>{% endfor %}")));
        assertThatThrownBy(() -> ChatTemplate.detect(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(config.toString()).hasMessageContaining("--chat-template none");
        String llama31 = LLAMA3.replace("{% set loop_messages", "{%- set date_string = \"26 Jul 2024\" %}"
                + "{{- \"Cutting Knowledge Date: December 2023\\n\" }}{% set loop_messages");
        assertThatThrownBy(() -> ChatTemplate.recognise(llama31, "<|begin_of_text|>", "llama31"))
                .hasMessageContaining("llama31").hasMessageContaining("Llama 3.1");
        String qwq = QWEN2.replace("'<|im_start|>assistant\\n'", "'<|im_start|>assistant\\n<think>\\n'");
        assertThatThrownBy(() -> ChatTemplate.recognise(qwq, null, "qwq")).hasMessageContaining("<think>");
    }

    @Test
    void foldersWithoutATemplateGetNoneAndTheJinjaFileIsRead(@TempDir Path dir) throws Exception {
        assertThat(ChatTemplate.detect(dir)).isEqualTo(ChatTemplate.none());
        assertThat(ChatTemplate.none().wrap("as is")).isEqualTo("as is");
        Files.writeString(dir.resolve(ChatTemplate.CONFIG_FILE), "{\"eos_token\": \"<|im_end|>\"}");
        assertThat(ChatTemplate.detect(dir).isNone()).isTrue();
        Files.writeString(dir.resolve(ChatTemplate.JINJA_FILE), QWEN2.replace("\\n", "\n"));
        assertThat(ChatTemplate.detect(dir)).isEqualTo(ChatTemplate.chatMl("You are a helpful assistant."));
    }

    @Test
    void theTemplateIsRecordedBesideCheckpointsAndReadBack(@TempDir Path dir) throws Exception {
        PolicyBundle.writeStyle(dir, PromptBuilder.Style.COMPACT);
        assertThat(Files.readString(dir.resolve(PolicyBundle.PROMPT_FILE))).doesNotContain("chat_template");
        assertThat(PolicyBundle.findChatTemplate(dir)).contains(ChatTemplate.none());
        for (ChatTemplate t : List.of(ChatTemplate.qwen3(), ChatTemplate.chatMl("Be brief.\nAlways."),
                ChatTemplate.llama3("<|begin_of_text|>"))) {
            PolicyBundle.writeStyle(dir, PromptBuilder.Style.REFERENCE, t);
            Path step = Files.createDirectories(dir.resolve("step-3"));
            assertThat(PolicyBundle.readChatTemplate(step)).isEqualTo(t);
            assertThat(PolicyBundle.readStyle(step)).isEqualTo(PromptBuilder.Style.REFERENCE);
        }
        assertThat(PolicyBundle.findChatTemplate(dir.resolve("none/of/these/exist"))).isEmpty();
    }
}
