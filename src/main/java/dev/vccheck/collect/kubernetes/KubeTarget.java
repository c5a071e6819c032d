package dev.vccheck.collect.kubernetes;

import java.nio.file.Path;

/** Which cluster and namespace: a kubeconfig file (else KUBECONFIG, ~/.kube/config, in-cluster), a context, a namespace. */
public record KubeTarget(Path kubeconfig, String context, String namespace, int timeoutSeconds, int backupMaxAgeHours) {
}
