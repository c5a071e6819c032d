package dev.vccheck.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the text files a user hands vccheck (rule packs, waivers, bundles, .env files) with a size limit checked
 * before reading, so a wrong or hostile file cannot exhaust memory, and with messages a user can act on.
 * {@link java.nio.file.NoSuchFileException} passes through for callers that word it themselves.
 */
public final class TextFiles {
    private TextFiles() {
    }

    /** The file as UTF-8 text; an IOException whose message says what is wrong when it is too big or not UTF-8. */
    public static String read(Path file, long maxBytes) throws IOException {
        long size = Files.size(file);
        if (size > maxBytes) {
            throw new IOException("the file is " + megabytes(size) + ", more than the " + megabytes(maxBytes) + " vccheck reads (is it the right file?)");
        }
        byte[] bytes = Files.readAllBytes(file);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("not UTF-8 text (is it the right file? save it as UTF-8)");
        }
    }

    private static String megabytes(long bytes) {
        return bytes >= 1024 * 1024 ? (bytes / (1024 * 1024)) + " MB" : (bytes / 1024) + " kB";
    }
}
