package dev.mllmrec.core.lm.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mllmrec.core.Json;
import org.junit.jupiter.api.Test;

class HfConfigTest {

    private static HfConfig parse(String json) throws Exception {
        return HfConfig.parse(Json.mapper().readTree(json), "config.json");
    }

    @Test
    void qwen2DefaultsHeadDimAndTakesEosLists() throws Exception {
        HfConfig c = parse("{\"architectures\": [\"Qwen2ForCausalLM\"], \"hidden_size\": 896, "
                + "\"intermediate_size\": 4864, \"num_hidden_layers\": 24, \"num_attention_heads\": 14, "
                + "\"num_key_value_heads\": 2, \"vocab_size\": 151936, \"rope_theta\": 1000000.0, "
                + "\"tie_word_embeddings\": true, \"eos_token_id\": [151645, 151643], \"use_sliding_window\": false, "
                + "\"rope_scaling\": null}");
        assertThat(c.family()).isEqualTo(HfConfig.Family.QWEN2);
        assertThat(c.headDim()).isEqualTo(64);
        assertThat(c.groupSize()).isEqualTo(7);
        assertThat(c.qkvBias()).isTrue();
        assertThat(c.outputBias()).isFalse();
        assertThat(c.qkNorm()).isFalse();
        assertThat(c.eosIds()).containsExactly(151645, 151643);
        assertThat(c.maxPositions()).isEqualTo(2048);
        // The written config reads back as the same shape.
        HfConfig again = HfConfig.parse(Json.mapper().valueToTree(c.toJson()), "written");
        assertThat(again.toString()).isEqualTo(c.toString());
        assertThat(again.eosIds()).containsExactly(151645, 151643);
    }

    @Test
    void llamaWithoutArchitecturesFallsBackToModelTypeAndUnsupportedFeaturesAreNamed() throws Exception {
        String base = "\"hidden_size\": 64, \"intermediate_size\": 172, \"num_hidden_layers\": 5, "
                + "\"num_attention_heads\": 8, \"vocab_size\": 512";
        HfConfig llama = parse("{\"model_type\": \"llama\", " + base + ", \"attention_bias\": true}");
        assertThat(llama.family()).isEqualTo(HfConfig.Family.LLAMA);
        assertThat(llama.kvHeads()).isEqualTo(8);
        assertThat(llama.outputBias()).isTrue();
        assertThatThrownBy(() -> parse("{\"model_type\": \"llama\", " + base
                + ", \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0}}"))
                .hasMessageContaining("rope_scaling of type 'llama3' is not supported");
        assertThatThrownBy(() -> parse("{\"model_type\": \"llama\", " + base + ", \"hidden_act\": \"gelu\"}"))
                .hasMessageContaining("hidden_act 'gelu'");
        assertThatThrownBy(() -> parse("{\"architectures\": [\"Qwen2ForCausalLM\"], " + base
                + ", \"use_sliding_window\": true}")).hasMessageContaining("sliding-window");
        assertThatThrownBy(() -> parse("{\"architectures\": [\"MistralForCausalLM\"], " + base + "}"))
                .hasMessageContaining("unsupported architecture [MistralForCausalLM]");
        assertThatThrownBy(() -> parse("{\"model_type\": \"qwen3\", \"hidden_size\": 64}"))
                .hasMessageContaining("\"num_attention_heads\" is missing");
        assertThatThrownBy(() -> parse("{\"model_type\": \"llama\", " + base + ", \"num_key_value_heads\": 3}"))
                .hasMessageContaining("not a multiple");
    }
}
