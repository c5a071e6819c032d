package dev.vccheck.cli;

import picocli.CommandLine;

import java.io.InputStream;
import java.util.Properties;

/** The version, from the Maven-filtered {@code vccheck.properties}. */
public final class VersionProvider implements CommandLine.IVersionProvider {
    public static String version() {
        try (InputStream in = VersionProvider.class.getClassLoader().getResourceAsStream("vccheck.properties")) {
            Properties p = new Properties();
            if (in != null) p.load(in);
            return p.getProperty("version", "dev");
        } catch (Exception e) {
            return "dev";
        }
    }

    @Override
    public String[] getVersion() {
        return new String[]{"vccheck " + version(), "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"};
    }
}
