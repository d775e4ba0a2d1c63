package dev.mllmrec.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The module openings the README tells users to pass are the ones the tests run with. */
class JavaOpensTest {

    @Test
    void javaOpensTxtEqualsThePomsFlags() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        String flags = pom.substring(pom.indexOf("<spark.java.opens>") + "<spark.java.opens>".length(),
                pom.indexOf("</spark.java.opens>"));
        assertThat(Files.readString(Path.of("java-opens.txt")).strip().split("\\s+"))
                .containsExactly(flags.strip().split("\\s+"));
    }
}
