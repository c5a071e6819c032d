package dev.vccheck.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;
import java.util.Map;

/** Everything a renderer needs; every format renders the same findings. Renderers never decide a status. */
@JsonPropertyOrder({"schema", "tool", "generated_at", "target", "redaction", "immich_version", "migration", "summary", "findings"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Report(
        String schema,
        Tool tool,
        String generated_at,
        Map<String, Object> target,
        Map<String, Object> redaction,
        ImmichVersion immich_version,
        Migration migration,
        Summary summary,
        List<Finding> findings) {

    public static final String SCHEMA_ID = "vccheck.report/v1";

    public record Tool(String name, String version) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ImmichVersion(String value, String source, String release, String note) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Migration(String state, String path, String phase) {
    }
}
