package dev.mllmrec.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mllmrec.core.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class GenerateCommandTest {

    private static Path models() {
        return Path.of(System.getProperty("mllmrec.shared.dir", "../../shared")).resolve("models");
    }

    /** Runs the command; returns {status, stdout, stderr}. */
    private static Object[] run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int rc = Main.run(args);
            return new Object[] {rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void printsTheReferenceGreedyIdsForBothFolders() throws Exception {
        for (String name : List.of("stories260K", "tiny-qwen3")) {
            Path dir = models().resolve(name);
            Assumptions.assumeTrue(Files.isDirectory(dir), "Shared model folder not found: " + dir);
            for (JsonNode c : Json.mapper().readTree(dir.resolve("reference.json").toFile()).get("cases")) {
                StringJoiner prompt = new StringJoiner(",");
                c.get("prompt_ids").forEach(n -> prompt.add(n.asText()));
                List<Integer> expected = new ArrayList<>();
                c.get("greedy_ids").forEach(n -> expected.add(n.asInt()));
                Object[] r = run("generate", "--base-model", dir.toString(), "--prompt-ids", prompt.toString(),
                        "--max-new-tokens", Integer.toString(expected.size()));
                assertThat(r[0]).as("%s", r[2]).isEqualTo(0);
                String stdout = ((String) r[1]).strip();
                assertThat(stdout.lines().count()).isEqualTo(1);
                List<Integer> ids = new ArrayList<>();
                Json.mapper().readTree(stdout).get("ids").forEach(n -> ids.add(n.asInt()));
                assertThat(ids).as("%s %s", name, prompt).isEqualTo(expected);
            }
        }
    }

    @Test
    void helpAndBadInput() {
        Object[] help = run("generate", "--help");
        assertThat(help[0]).isEqualTo(0);
        assertThat((String) help[1]).contains("--base-model").contains("--prompt-ids").contains("--max-new-tokens");
        Path dir = models().resolve("tiny-qwen3");
        Assumptions.assumeTrue(Files.isDirectory(dir));
        Object[] bad = run("generate", "--base-model", dir.toString(), "--prompt-ids", "1,300");
        assertThat(bad[0]).isEqualTo(2);
        assertThat((String) bad[2]).contains("id 300 is outside the vocabulary of size 300");
        Object[] notAModel = run("generate", "--base-model", dir.resolve("nope").toString(), "--prompt-ids", "1");
        assertThat(notAModel[0]).isEqualTo(2);
        assertThat((String) notAModel[2]).contains("No config.json");
    }
}
