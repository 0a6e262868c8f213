package io.tokenfactory.inference.serving;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The lines of an upstream event stream, read as they arrive, and whether more of it has
 * arrived already ({@link #buffered}). {@code BufferedReader.ready()} cannot tell: over
 * the JDK's HTTP client it answers true while nothing waits, which held streamed tokens
 * back until a whole batch had come.
 */
final class UpstreamLines implements Closeable {

    private final InputStream in;

    private final byte[] buffer = new byte[8192];

    private int position;

    private int limit;

    UpstreamLines(InputStream in) {
        this.in = in;
    }

    /** The next line without its end ({@code \n} or {@code \r\n}); null at the end. */
    String readLine() throws IOException {
        ByteArrayOutputStream line = null;
        while (true) {
            if (position == limit) {
                int read = in.read(buffer, 0, buffer.length);
                if (read < 0) {
                    return line == null ? null : text(line);
                }
                position = 0;
                limit = read;
            }
            for (int i = position; i < limit; i++) {
                if (buffer[i] == '\n') {
                    if (line == null) {
                        line = new ByteArrayOutputStream(i - position);
                    }
                    line.write(buffer, position, i - position);
                    position = i + 1;
                    return text(line);
                }
            }
            if (line == null) {
                line = new ByteArrayOutputStream(256);
            }
            line.write(buffer, position, limit - position);
            position = limit;
        }
    }

    /** Whether bytes of the stream have arrived that no line has returned yet. */
    boolean buffered() {
        return position < limit;
    }

    private static String text(ByteArrayOutputStream line) {
        String text = line.toString(StandardCharsets.UTF_8);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

}
