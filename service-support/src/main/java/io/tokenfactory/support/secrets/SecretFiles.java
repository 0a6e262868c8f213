package io.tokenfactory.support.secrets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Secrets kept in files readable by their owner only (a mounted Secret in Kubernetes,
 * {@code .factory/secrets} locally): generated once when missing, shared by replicas that
 * see the same file.
 */
public final class SecretFiles {

    private static final SecureRandom RANDOM = new SecureRandom();

    private SecretFiles() {
    }

    /**
     * What the file holds (base64); when there is no file yet, {@code bytes} random bytes
     * written to a new one.
     */
    public static Generated readOrGenerate(Path file, int bytes) {
        try {
            if (Files.exists(file)) {
                return new Generated(Base64.getDecoder().decode(Files.readString(file).strip()), false);
            }
            byte[] generated = new byte[bytes];
            RANDOM.nextBytes(generated);
            Files.createDirectories(file.toAbsolutePath().getParent());
            try {
                // created readable by its owner only, and only if nobody else created it
                // first
                Files.createFile(file,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            catch (UnsupportedOperationException notPosix) {
                Files.createFile(file);
            }
            catch (FileAlreadyExistsException anotherReplicaWasFaster) {
                return new Generated(Base64.getDecoder().decode(Files.readString(file).strip()), false);
            }
            Files.writeString(file, Base64.getEncoder().encodeToString(generated));
            return new Generated(generated, true);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the secret file " + file, e);
        }
    }

    /**
     * Replaces the file's content at once (readers never see half a secret), readable by
     * its owner only.
     */
    public static void write(Path file, String secret) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path written = Files.createTempFile(directory, file.getFileName().toString(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(written, secret);
        Files.move(written, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * @param created whether this call generated it (worth a log line: keep that file)
     */
    public record Generated(byte[] secret, boolean created) {
    }

}
