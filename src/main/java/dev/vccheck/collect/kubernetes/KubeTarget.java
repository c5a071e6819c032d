package dev.vccheck.collect.kubernetes;

import java.nio.file.Path;

/** Which cluster and namespace: --kubeconfig (or KUBECONFIG, ~/.kube/config, in-cluster), --context, --namespace. */
public record KubeTarget(Path kubeconfig, String context, String namespace, int timeoutSeconds, int backupMaxAgeHours) {
}
