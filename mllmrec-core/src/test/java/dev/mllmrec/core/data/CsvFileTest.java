package dev.mllmrec.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mllmrec.api.InvalidDataException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvFileTest {

    private static final List<String> HEADER = List.of("movieId", "title", "genres");

    @TempDir
    Path dir;

    private List<CsvFile.Row> read(String content, DataIssues issues) throws IOException {
        Path f = dir.resolve("movies.csv");
        Files.writeString(f, content, StandardCharsets.UTF_8);
        List<CsvFile.Row> rows = new ArrayList<>();
        CsvFile.read(f, HEADER, issues, rows::add);
        return rows;
    }

    @Test
    void quotedCommasEscapedQuotesAndUnicode() throws IOException {
        List<CsvFile.Row> rows = read("movieId,title,genres\n"
                + "1,\"American President, The (1995)\",Comedy|Drama\r\n"
                + "7789,\"11'09\"\"01 - September 11 (2002)\",Drama\n"
                + "3,Amélie (Fabuleux destin d'Amélie Poulain) 東京 (2001),Comedy\n"
                + "4,\"\",\n", DataIssues.strict());
        assertThat(rows).extracting(r -> r.field(1)).containsExactly("American President, The (1995)",
                "11'09\"01 - September 11 (2002)", "Amélie (Fabuleux destin d'Amélie Poulain) 東京 (2001)", "");
        assertThat(rows).extracting(CsvFile.Row::line).containsExactly(2L, 3L, 4L, 5L);
        assertThat(rows.get(3).fields()).containsExactly("4", "", "");
    }

    @Test
    void quotedFieldMaySpanLinesAndKeepsItsStartLine() throws IOException {
        List<CsvFile.Row> rows = read("movieId,title,genres\n1,\"two\nlines\",Drama\n2,x,y\n", DataIssues.strict());
        assertThat(rows.get(0).field(1)).isEqualTo("two\nlines");
        assertThat(rows.get(1).line()).isEqualTo(4L);
    }

    @Test
    void byteOrderMarkAndBlankLinesAreIgnored() throws IOException {
        List<CsvFile.Row> rows = read("\uFEFFmovieId,title,genres\n\n1,a,b\n\n", DataIssues.strict());
        assertThat(rows).hasSize(1);
    }

    @Test
    void unclosedQuoteNamesFileAndStartLine() {
        assertThatThrownBy(() -> read("movieId,title,genres\n1,a,b\n2,\"open title,Drama\n3,c,d\n",
                DataIssues.strict()))
                .isInstanceOf(InvalidDataException.class)
                .hasMessageContaining("movies.csv, line 3")
                .hasMessageContaining("not closed");
    }

    @Test
    void characterAfterClosingQuoteIsMalformed() {
        assertThatThrownBy(() -> read("movieId,title,genres\n1,\"a\"b,c\n", DataIssues.strict()))
                .isInstanceOf(InvalidDataException.class)
                .hasMessageContaining("line 2")
                .hasMessageContaining("after a closing quote");
    }

    @Test
    void lenientModeSkipsAndCountsMalformedRecords() throws IOException {
        DataIssues issues = DataIssues.lenient();
        List<CsvFile.Row> rows = read("movieId,title,genres\n1,\"a\"b,c\n2,ok,d\n", issues);
        assertThat(rows).extracting(r -> r.field(0)).containsExactly("2");
        assertThat(issues.counts()).containsEntry("malformed-line", 1L);
        assertThat(issues.examples().get("malformed-line")).contains("line 2");
    }

    @Test
    void emptyFileIsAnErrorInEveryMode() {
        assertThatThrownBy(() -> read("", DataIssues.lenient()))
                .isInstanceOf(InvalidDataException.class).hasMessageContaining("movies.csv: the file is empty");
        assertThatThrownBy(() -> read("\n\n", DataIssues.strict()))
                .isInstanceOf(InvalidDataException.class).hasMessageContaining("the file is empty");
        assertThatThrownBy(() -> read("movieId,title,genres\n", DataIssues.strict()))
                .isInstanceOf(InvalidDataException.class).hasMessageContaining("no data rows");
    }

    @Test
    void wrongHeaderIsNamed() {
        assertThatThrownBy(() -> read("id,name\n1,a\n", DataIssues.lenient()))
                .isInstanceOf(InvalidDataException.class)
                .hasMessageContaining("line 1")
                .hasMessageContaining("expected the header row 'movieId,title,genres'");
    }

    @Test
    void badUtf8IsReportedWithLineAndByte() throws IOException {
        Path f = dir.resolve("movies.csv");
        byte[] latin1 = "movieId,title,genres\n1,ok,a\n2,Am\u00e9lie,b\n".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(f, latin1);
        assertThatThrownBy(() -> CsvFile.read(f, HEADER, DataIssues.strict(), r -> { }))
                .isInstanceOf(InvalidDataException.class)
                .hasMessageContaining("movies.csv, line 3")
                .hasMessageContaining("not valid UTF-8")
                .hasMessageContaining("0xE9");
        DataIssues lenient = DataIssues.lenient();
        List<CsvFile.Row> rows = new ArrayList<>();
        CsvFile.read(f, HEADER, lenient, rows::add);
        assertThat(rows).hasSize(1);
        assertThat(lenient.count(SkipReason.BAD_ENCODING)).isEqualTo(1);
    }

    @Test
    void quoteWritesMinimalRfc4180() {
        assertThat(CsvFile.quote("plain")).isEqualTo("plain");
        assertThat(CsvFile.quote("a, b")).isEqualTo("\"a, b\"");
        assertThat(CsvFile.quote("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(CsvFile.line(List.of("1", "x,y"))).isEqualTo("1,\"x,y\"");
    }
}
