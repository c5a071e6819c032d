package dev.vccheck.cli;

import java.util.List;

/** A usage or configuration problem (exit 2): each line is printed as is, nothing is analyzed. */
public class UsageException extends RuntimeException {
    private final List<String> lines;

    public UsageException(List<String> lines) {
        super(String.join("\n", lines));
        this.lines = List.copyOf(lines);
    }

    public UsageException(String line) {
        this(List.of(line));
    }

    public List<String> lines() {
        return lines;
    }
}
