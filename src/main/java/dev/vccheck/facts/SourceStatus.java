package dev.vccheck.facts;

/**
 * How reading one source ended, as the facts record it ({@code collection.<source>}): the status, the label of what
 * was read, and for an error the message and the cause's id.
 */
public record SourceStatus(CollectionStatus status, String label, String message, String cause) {
    public boolean ok() {
        return status == CollectionStatus.OK;
    }

    public boolean error() {
        return status == CollectionStatus.ERROR;
    }

    public boolean notConfigured() {
        return status == CollectionStatus.NOT_CONFIGURED;
    }
}
