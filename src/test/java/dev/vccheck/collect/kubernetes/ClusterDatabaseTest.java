package dev.vccheck.collect.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reason a --kube-only scan gives for a database it cannot reach, read from the pods (the shapes KubernetesCollector writes). */
class ClusterDatabaseTest {
    static JsonNode k8s(String json) throws Exception {
        return new ObjectMapper().readTree(json.replace('\'', '"'));
    }

    @Test
    void aPlainPostgresDeploymentWhosePodsAreAllDownIsNotRunning() throws Exception {
        JsonNode k = k8s("{'pods': [{'name': 'immich-postgres-0', 'phase': 'Running', 'ready': false, 'labels': {},"
                + " 'containers': [{'name': 'postgres', 'image': 'ghcr.io/immich-app/postgres:14-vectorchord0.4.3', 'ready': false, 'restarts': 1, 'waiting': 'CrashLoopBackOff'}]},"
                + " {'name': 'immich-server-1', 'phase': 'Running', 'ready': true, 'labels': {}, 'containers': [{'name': 'immich-server', 'image': 'ghcr.io/immich-app/immich-server:v2.3.1', 'ready': true, 'restarts': 0}]}]}");
        assertEquals("the database is not running in the cluster: pod immich-postgres-0 is waiting in CrashLoopBackOff after 1 restart",
                ClusterDatabase.notRunning(k).orElseThrow());
    }

    @Test
    void oneReadyDatabasePodIsEnoughAndTheOperatorIsNoDatabase() throws Exception {
        assertTrue(ClusterDatabase.notRunning(k8s("{'pods': [{'name': 'db-0', 'ready': true, 'labels': {}, 'containers': [{'name': 'p', 'image': 'docker.io/bitnami/postgresql:16', 'ready': true}]},"
                + " {'name': 'db-1', 'ready': false, 'labels': {}, 'containers': [{'name': 'p', 'image': 'docker.io/bitnami/postgresql:16', 'ready': false, 'terminated': 'Error'}]}]}")).isEmpty());
        assertTrue(ClusterDatabase.notRunning(k8s("{'pods': [{'name': 'cnpg-controller', 'ready': false, 'labels': {}, 'containers': [{'name': 'manager', 'image': 'ghcr.io/cloudnative-pg/cloudnative-pg:1.25.1', 'ready': false}]}]}")).isEmpty());
    }

    @Test
    void aCnpgClusterWhosePrimaryHasNoPodSaysSo() throws Exception {
        JsonNode k = k8s("{'cnpg': {'clusters': {'immich-postgres': {'current_primary': 'immich-postgres-1', 'phase': 'Failing over'}}},"
                + " 'pods': [{'name': 'immich-postgres-2', 'ready': false, 'phase': 'Pending', 'labels': {'cnpg.io/cluster': 'immich-postgres'}, 'containers': []}]}");
        assertEquals("the database is not running: the primary of CloudNativePG Cluster immich-postgres (immich-postgres-1) has no pod in the namespace;"
                + " its other instances: immich-postgres-2", ClusterDatabase.notRunning(k).orElseThrow());
        JsonNode none = k8s("{'cnpg': {'clusters': {'immich-postgres': {'phase': 'Setting up primary'}}}, 'pods': []}");
        assertEquals("the database is not running: CloudNativePG Cluster immich-postgres has no instance pod (phase: Setting up primary)",
                ClusterDatabase.notRunning(none).orElseThrow());
    }
}
