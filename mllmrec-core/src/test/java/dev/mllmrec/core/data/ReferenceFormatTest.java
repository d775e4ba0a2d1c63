package dev.mllmrec.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mllmrec.api.Catalog;
import dev.mllmrec.api.InvalidDataException;
import dev.mllmrec.api.Item;
import dev.mllmrec.api.UserHistory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceFormatTest {

    @TempDir
    Path dir;

    private static Catalog catalog() {
        return Catalog.of("movielens", List.of(Item.of(1, "Toy Story (1995)"),
                Item.of(2, "American President, The (1995)"), Item.of(3, "11'09\"01 - September 11 (2002)"),
                Item.of(4, "Amélie – 東京"), Item.of(5, "Heat (1995)")));
    }

    private static List<UserHistory> sequences() {
        return List.of(new UserHistory("1", List.of(1, 2, 3, 4)), new UserHistory("2", List.of(5, 4, 3, 2, 1)),
                new UserHistory("10", List.of(2, 5, 1)));
    }

    @Test
    void exportThenReadRoundTrips() {
        ReferenceFormat.export(dir, catalog(), sequences());
        assertThat(dir.resolve("train.tsv")).hasContent("1\t1 2 3\n2\t5 4 3 2\n10\t2 5\n");
        assertThat(dir.resolve("test.tsv")).hasContent("1\t1 2 3 4\n2\t5 4 3 2 1\n10\t2 5 1\n");
        assertThat(dir.resolve("movielens_titles.csv")).hasContent("item,title\n1,Toy Story (1995)\n"
                + "2,\"American President, The (1995)\"\n3,\"11'09\"\"01 - September 11 (2002)\"\n"
                + "4,Amélie – 東京\n5,Heat (1995)\n");

        Dataset back = ReferenceFormat.read(dir, "movielens", 1, false);
        assertThat(back.catalog().items()).isEqualTo(catalog().items());
        assertThat(back.sequences()).isEqualTo(sequences());
        assertThat(back.fingerprint()).isEqualTo(Dataset.fingerprint(catalog(), sequences()));
    }

    @Test
    void sequencesAndTitlesRoundTripSeparately() {
        ReferenceFormat.writeSequences(dir.resolve("x.tsv"), sequences());
        assertThat(ReferenceFormat.readSequences(dir.resolve("x.tsv"), catalog(), DataIssues.strict()))
                .isEqualTo(sequences());
        ReferenceFormat.writeTitles(dir.resolve("t.csv"), catalog());
        assertThat(ReferenceFormat.readTitles(dir.resolve("t.csv"), "movielens", DataIssues.strict()).items())
                .isEqualTo(catalog().items());
    }

    @Test
    void readsFilesAsPandasWritesThem() throws IOException {
        // A titles file with extra columns and CRLF endings, TSV lines with trailing blanks.
        Files.writeString(dir.resolve("movielens_titles.csv"),
                "item_id,title,genre\r\n1,\"Heat, The\",Action\r\n2,Jumanji,Kids\r\n3,Toy Story,Kids\r\n",
                StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("train.tsv"), "7\t1 2 \n8\t2 3 1\n");
        Dataset d = ReferenceFormat.read(dir, "movielens", 3, false);
        assertThat(d.catalog().get(1).title()).isEqualTo("Heat, The");
        assertThat(d.sequences()).containsExactly(new UserHistory("8", List.of(2, 3, 1)));
        assertThat(d.catalog().size()).isEqualTo(3);
    }

    @Test
    void badLinesNameFileLineAndValue() throws IOException {
        Files.writeString(dir.resolve("bad.tsv"), "1\t1 2\n2 3 4\n");
        assertThatThrownBy(() -> ReferenceFormat.readSequences(dir.resolve("bad.tsv"), catalog(),
                DataIssues.strict()))
                .isInstanceOf(InvalidDataException.class)
                .hasMessageContaining("bad.tsv, line 2")
                .hasMessageContaining("exactly one tab");
        Files.writeString(dir.resolve("unknown.tsv"), "1\t1 2 77\n");
        assertThatThrownBy(() -> ReferenceFormat.readSequences(dir.resolve("unknown.tsv"), catalog(),
                DataIssues.strict()))
                .hasMessageContaining("unknown.tsv, line 1")
                .hasMessageContaining("item 77 is not in the titles file");
        DataIssues lenient = DataIssues.lenient();
        assertThat(ReferenceFormat.readSequences(dir.resolve("unknown.tsv"), catalog(), lenient))
                .containsExactly(new UserHistory("1", List.of(1, 2)));
        assertThat(lenient.count(SkipReason.UNKNOWN_ITEM)).isEqualTo(1);
    }

    @Test
    void missingFilesAreNamed() {
        assertThatThrownBy(() -> ReferenceFormat.read(dir, "movielens", 1, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("movielens_titles.csv");
    }
}
