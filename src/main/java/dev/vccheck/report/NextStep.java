package dev.vccheck.report;

import java.util.List;

/**
 * What to do about a target that could not be read: a sentence, and the command lines to run (in order). The
 * command line decides it (only it knows how vccheck was started); the reports show it next to the reason.
 */
public record NextStep(String text, List<String> commands) {
    public NextStep {
        commands = List.copyOf(commands);
    }

    /** The step on one line: the first command when there is one, else the sentence. */
    public String oneLine() {
        return commands.isEmpty() ? text : commands.get(0);
    }
}
