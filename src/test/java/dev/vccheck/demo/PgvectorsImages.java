package dev.vccheck.demo;


import dev.vccheck.demo.ImmichDatabase.Spec;
import dev.vccheck.demo.ImmichDatabase.State;

import java.io.IOException;

/**
 * An Immich database still on pgvecto.rs (columns {@code vectors.vector}, indexes {@code USING vectors}), built on
 * a {@link DebianServer} with the dual image's preload ({@code vchord.so, vectors.so}) and the C stand-ins, then
 * put into the states where pgvecto.rs's library cannot be loaded: the {@link Image}s. {@code smart_search} is
 * 768-dimensional and {@code face_search} 512, so a test sees which column a number came from.
 */
public final class PgvectorsImages {
    public static final String DATABASE = "immich";
    public static final int SMART_DIMENSION = 768;

    /** What the server runs on after the database was built with pgvecto.rs preloaded. */
    public enum Image {
        /** vectors.so still on disk but no longer in shared_preload_libraries (e.g. a new compose file or config). */
        NOT_PRELOADED("", false, false),
        /** vectors.so deleted from the library folder, its control file and scripts still there. */
        LIBRARY_REMOVED("", true, false),
        /** A VectorChord-only image: pgvecto.rs gone entirely (library, control, scripts), vchord.so preloaded. */
        VECTORCHORD_ONLY("vchord.so", true, true);

        public final String preload;
        final boolean libraryGone;
        final boolean extensionGone;

        Image(String preload, boolean libraryGone, boolean extensionGone) {
            this.preload = preload;
            this.libraryGone = libraryGone;
            this.extensionGone = extensionGone;
        }

        /** The error PostgreSQL raises when something loads vectors.so in this state. */
        public String loadError() {
            return libraryGone ? "could not access file \"$libdir/vectors\": No such file or directory"
                    : "pgvecto.rs must be loaded via shared_preload_libraries.";
        }
    }

    private PgvectorsImages() {
    }

    /** A started server with the database in state PGVECTORS, pgvecto.rs and VectorChord preloaded (all files there). */
    public static DebianServer build() throws Exception {
        CStandIns.install();
        DebianServer s = DebianServer.create("vchord.so, vectors.so");
        try {
            ImmichDatabase.create(s, DATABASE, Spec.of(State.PGVECTORS).dimension(SMART_DIMENSION));
        } catch (Exception | Error e) {
            String log = s.log();
            s.close();
            throw new AssertionError("building the pgvecto.rs database failed; server log:\n" + log, e);
        }
        return s;
    }

    /**
     * Puts the server into {@code image}: stand-ins reinstalled, then the files that image lacks removed, the preload
     * list set in postgresql.conf, and a restart that must succeed. Idempotent; {@link #restore} undoes it.
     */
    public static void enter(DebianServer s, Image image) throws IOException, InterruptedException {
        s.stop();
        CStandIns.install();
        if (image.extensionGone) CStandIns.removeExtension("vectors");
        else if (image.libraryGone) CStandIns.removeLibrary("vectors");
        s.setConf("shared_preload_libraries", image.preload);
        s.start();
    }

    /** Every stand-in file back in place (call when the tests end, the folders are the machine's). */
    public static void restore() throws IOException, InterruptedException {
        CStandIns.install();
    }
}
