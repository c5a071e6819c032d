package dev.vccheck.preflight;

/**
 * Reading the database through psql: {@code kind} is docker, kube-exec (the pod comes from the cluster facts) or
 * psql; {@code argument} the container, the CloudNativePG Cluster (null: the only one) or the command line.
 */
public record ViaPsql(String kind, String argument, String user, String database, String vectorExtension) {
}
