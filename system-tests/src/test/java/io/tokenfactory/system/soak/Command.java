package io.tokenfactory.system.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An administration program the soak runs (rabbitmqctl, initdb, pg_ctl), its output
 * caught in a file: waiting is bounded by the timeout rather than by the end of the
 * output, which a server the program leaves running may hold open.
 */
final class Command {

    private Command() {
    }

    record Result(List<String> command, int exit, String output) {

        boolean succeeded() {
            return exit == 0;
        }

        String orFail() {
            if (exit != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + exit + ": " + output);
            }
            return output;
        }
    }

    static Result run(Duration timeout, List<String> command) {
        try {
            Path output = Files.createTempFile("soak-command", ".out");
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    return new Result(command, -1, "timed out after " + timeout);
                }
                return new Result(command, process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
            }
            finally {
                Files.deleteIfExists(output);
            }
        }
        catch (IOException e) {
            return new Result(command, -1, e.getMessage());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(command, -1, "interrupted");
        }
    }

}
