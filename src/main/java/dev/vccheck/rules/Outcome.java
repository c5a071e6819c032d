package dev.vccheck.rules;

import java.util.List;

/** One ordered outcome of a rule: a status, a CEL condition, a message template and remediation. */
public record Outcome(Status status, Expr condition, Template message, List<Remediation> remediation, SourcePos pos) {
}
