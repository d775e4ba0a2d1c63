package dev.mllmrec.core.data;

import dev.mllmrec.api.InvalidDataException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * RFC 4180 comma-separated values with a header row: fields may be quoted, quoted fields may hold commas, line
 * breaks and doubled quotes ({@code ""}). Reading is strict about encoding (see {@link TextLines}); a record that
 * cannot be parsed is reported to {@link DataIssues} as {@link SkipReason#MALFORMED_LINE} with its first line.
 *
 * <p>Thread-safe: stateless.
 */
public final class CsvFile {

    /**
     * One data record.
     *
     * @param line     the 1-based line on which the record starts
     * @param fields   the fields, unquoted
     * @param lastLine the 1-based line on which it ends (after {@code line} when a quoted field holds line breaks)
     */
    public record Row(long line, List<String> fields, long lastLine) {

        /** Copies. */
        public Row {
            fields = List.copyOf(fields);
            lastLine = Math.max(line, lastLine);
        }

        /** A record on one line. */
        public Row(long line, List<String> fields) {
            this(line, fields, line);
        }

        /** The number of physical lines the record spans. */
        public long lines() {
            return lastLine - line + 1;
        }

        /** Field {@code i}. */
        public String field(int i) {
            return fields.get(i);
        }

        /** The number of fields. */
        public int size() {
            return fields.size();
        }

        /** The record as CSV text, for error messages. */
        public String text() {
            return CsvFile.line(fields);
        }
    }

    private CsvFile() {
    }

    /**
     * Reads {@code file}, checks its header and hands each data record to {@code sink}; blank lines are ignored.
     *
     * @param header the expected column names (compared ignoring case and surrounding blanks), or {@code null} to
     *               accept any header of at least two columns
     * @return the number of data records handed to {@code sink}
     * @throws InvalidDataException if the file is empty, has the wrong header or has no data records (always), or
     *                              on a malformed record in strict mode
     */
    public static long read(Path file, List<String> header, DataIssues issues, Consumer<Row> sink) {
        Parser parser = new Parser(file, header, issues, sink);
        TextLines.read(file, issues, parser::line);
        parser.finish();
        if (!parser.sawHeader) {
            throw new InvalidDataException(file.toString(), 0, null, "the file is empty");
        }
        if (parser.rows == 0 && parser.skipped == 0) {
            throw new InvalidDataException(file.toString(), 0, null, "the file has a header but no data rows");
        }
        return parser.rows;
    }

    /** Quotes a field when it holds a comma, a quote or a line break (the minimal quoting of RFC 4180). */
    public static String quote(String field) {
        if (field.indexOf(',') < 0 && field.indexOf('"') < 0 && field.indexOf('\n') < 0 && field.indexOf('\r') < 0) {
            return field;
        }
        return '"' + field.replace("\"", "\"\"") + '"';
    }

    /** One CSV line (without terminator) from {@code fields}. */
    public static String line(List<String> fields) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(quote(fields.get(i)));
        }
        return sb.toString();
    }

    private static final class Parser {
        private final Path file;
        private final List<String> header;
        private final DataIssues issues;
        private final Consumer<Row> sink;
        private final List<String> fields = new ArrayList<>();
        private final StringBuilder current = new StringBuilder();
        private boolean pending;
        private boolean inQuotes;
        private boolean afterQuote;
        private boolean fieldStarted;
        private long start;
        private boolean sawHeader;
        private long rows;
        private long skipped;
        private long lastLine;

        Parser(Path file, List<String> header, DataIssues issues, Consumer<Row> sink) {
            this.file = file;
            this.header = header;
            this.issues = issues;
            this.sink = sink;
        }

        void line(long lineNo, String text) {
            lastLine = lineNo;
            if (!pending) {
                if (text.isBlank()) {
                    return;
                }
                start = lineNo;
                fields.clear();
                current.setLength(0);
                afterQuote = false;
                fieldStarted = false;
            } else {
                current.append('\n');
            }
            for (int k = 0; k < text.length(); k++) {
                char c = text.charAt(k);
                if (inQuotes) {
                    if (c == '"') {
                        if (k + 1 < text.length() && text.charAt(k + 1) == '"') {
                            current.append('"');
                            k++;
                        } else {
                            inQuotes = false;
                            afterQuote = true;
                        }
                    } else {
                        current.append(c);
                    }
                } else if (c == ',') {
                    fields.add(current.toString());
                    current.setLength(0);
                    afterQuote = false;
                    fieldStarted = false;
                } else if (afterQuote) {
                    pending = false;
                    malformed(text, "has the character '" + c + "' after a closing quote at column " + (k + 1)
                            + " (a quote inside a quoted field must be doubled)" + span(lineNo));
                    return;
                } else if (c == '"' && !fieldStarted) {
                    inQuotes = true;
                    fieldStarted = true;
                } else {
                    current.append(c);
                    fieldStarted = true;
                }
            }
            if (inQuotes) {
                pending = true;
                return;
            }
            pending = false;
            fields.add(current.toString());
            emit(new Row(start, fields, lineNo));
        }

        void finish() {
            if (pending) {
                pending = false;
                inQuotes = false;
                malformed(fields.isEmpty() ? current.toString() : String.join(",", fields) + "," + current,
                        "has a quoted field that is not closed before the end of the file (line " + lastLine + ")"
                                + span(lastLine));
            }
        }

        private void emit(Row row) {
            if (!sawHeader) {
                sawHeader = true;
                checkHeader(row);
                return;
            }
            rows++;
            sink.accept(row);
        }

        private void checkHeader(Row row) {
            if (header == null) {
                if (row.size() < 2) {
                    throw new InvalidDataException(file.toString(), row.line(), row.text(),
                            "expected a header row with at least two columns");
                }
                return;
            }
            boolean ok = row.size() == header.size();
            for (int i = 0; ok && i < header.size(); i++) {
                ok = row.field(i).strip().toLowerCase(Locale.ROOT).equals(header.get(i).toLowerCase(Locale.ROOT));
            }
            if (!ok) {
                throw new InvalidDataException(file.toString(), row.line(), row.text(),
                        "expected the header row '" + String.join(",", header) + "'");
            }
        }

        private String span(long end) {
            return end > start ? "; the record spans lines " + start + "-" + end + ", all " + (end - start + 1)
                    + " dropped" : "";
        }

        private void malformed(String value, String reason) {
            inQuotes = false;
            if (!sawHeader) {
                throw new InvalidDataException(file.toString(), start, value, reason);
            }
            skipped++;
            issues.report(SkipReason.MALFORMED_LINE, new InvalidDataException(file.toString(), start, value, reason),
                    Math.max(1, lastLine - start + 1));
        }
    }
}
