package dev.vccheck.rules;

/**
 * Offsets in a text as (line, column) and back: lines 1-based, columns 0-based, as CEL reports them. The one place
 * the loader, templates and the batched CEL check convert between the two.
 */
final class TextPositions {
    private TextPositions() {
    }

    /** A line (1-based) and column (0-based) in a text. */
    record LineCol(int line, int column) {
    }

    /** Where character {@code offset} of {@code text} is; an offset past the end counts the whole text. */
    static LineCol lineCol(String text, int offset) {
        int line = 1, col = 0;
        int end = Math.min(offset, text.length());
        for (int i = 0; i < end; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                col = 0;
            } else {
                col++;
            }
        }
        return new LineCol(line, col);
    }

    /** The offset of (line, column) in {@code text}; never negative. */
    static int offset(String text, int line, int column) {
        int off = 0;
        for (int l = 1; l < line && off >= 0; l++) off = text.indexOf('\n', off) + 1;
        return Math.max(0, off) + Math.max(0, column);
    }
}
