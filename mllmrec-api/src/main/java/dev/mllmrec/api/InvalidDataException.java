package dev.mllmrec.api;

/**
 * Input data is malformed. The message names the file, the line and the offending value so the user can fix it.
 */
public class InvalidDataException extends RuntimeException {

    private final String file;
    private final long line;
    private final String value;

    /**
     * @param file   the file (or resource) that holds the bad data
     * @param line   the 1-based line number, or 0 when not line-oriented
     * @param value  the offending value, shortened for the message
     * @param reason what is wrong, as a sentence fragment
     */
    public InvalidDataException(String file, long line, String value, String reason) {
        super(format(file, line, value, reason));
        this.file = file;
        this.line = line;
        this.value = value;
    }

    private static String format(String file, long line, String value, String reason) {
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) {
            sb.append(", line ").append(line);
        }
        sb.append(": ").append(reason);
        if (value != null) {
            String v = value.length() > 120 ? value.substring(0, 117) + "..." : value;
            sb.append(" (value: '").append(v).append("')");
        }
        sb.append('.');
        return sb.toString();
    }

    /** The file. */
    public String file() {
        return file;
    }

    /** The 1-based line, or 0. */
    public long line() {
        return line;
    }

    /** The offending value, possibly {@code null}. */
    public String value() {
        return value;
    }
}
