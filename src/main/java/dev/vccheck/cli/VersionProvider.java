package dev.vccheck.cli;

import picocli.CommandLine;


/** The version, from the Maven-filtered {@code vccheck.properties}. */
public final class VersionProvider implements CommandLine.IVersionProvider {
    public static String version() {
        return dev.vccheck.preflight.Preflight.toolVersion();
    }

    @Override
    public String[] getVersion() {
        return new String[]{"vccheck " + version(), "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"};
    }
}
