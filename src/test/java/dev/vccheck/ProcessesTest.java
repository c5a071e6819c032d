package dev.vccheck;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The process runner's time limit fires on a hang, and a process that prints a lot is not stuck on a full pipe. */
class ProcessesTest {
    @Test
    void aHangIsKilledAtTheLimitWithWhatItPrintedSoFar() {
        long start = System.nanoTime();
        // The child sleep keeps standard output open, so a test that read all output before waitFor would wait 60 s.
        AssertionError e = assertThrows(AssertionError.class,
                () -> Processes.run(new ProcessBuilder("bash", "-c", "echo started; sleep 60 & wait").redirectErrorStream(true), Duration.ofMillis(800)));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms < 15_000, "took " + ms + " ms");
        assertTrue(e.getMessage().contains("no end within 800 ms (a hang)") && e.getMessage().contains("started"), e::getMessage);
    }

    @Test
    void aLotOfOutputDoesNotBlockTheProcess() throws Exception {
        Processes.Result r = Processes.run(new ProcessBuilder("bash", "-c", "head -c 1000000 /dev/zero | tr '\\0' x; echo done >&2"), Duration.ofSeconds(30));
        assertEquals(0, r.exit(), r::err);
        assertEquals(1_000_000, r.out().length());
        assertEquals("done\n", r.err());
    }
}
