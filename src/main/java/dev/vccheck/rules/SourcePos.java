package dev.vccheck.rules;

/** A place in a rule, waiver or bundle file, 1-based line and column, printed as {@code file:line:column}. */
public record SourcePos(String file, int line, int column) {
    public static SourcePos of(String file) {
        return new SourcePos(file, 0, 0);
    }

    public SourcePos shift(int lines, int columnWhenSameLine, int columnOnNewLine) {
        return lines == 0 ? new SourcePos(file, line, column + columnWhenSameLine)
                : new SourcePos(file, line + lines, columnOnNewLine);
    }

    @Override
    public String toString() {
        return line <= 0 ? file : file + ":" + line + ":" + column;
    }
}
