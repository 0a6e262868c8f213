package io.tokenfactory.localrun;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Properties;

/**
 * The passwords of each service's own PostgreSQL role and broker user: generated on the
 * first start, kept for the next ones in a file readable by its owner only
 * ({@code .factory/secrets/service-credentials}). Deleting the file rotates them all on
 * the next start.
 */
final class ServiceCredentials {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Properties passwords;

    private ServiceCredentials(Properties passwords) {
        this.passwords = passwords;
    }

    static ServiceCredentials loadOrCreate(Path file) {
        Properties passwords = new Properties();
        try {
            if (Files.exists(file)) {
                try (Reader in = Files.newBufferedReader(file)) {
                    passwords.load(in);
                }
            }
            boolean added = false;
            for (Service service : Service.ALL) {
                added |= passwords.putIfAbsent(key("postgres", service), generate()) == null;
                added |= passwords.putIfAbsent(key("rabbitmq", service), generate()) == null;
            }
            if (added) {
                write(file, passwords);
            }
            return new ServiceCredentials(passwords);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Could not keep the services' passwords in " + file, e);
        }
    }

    String postgresPassword(Service service) {
        return passwords.getProperty(key("postgres", service));
    }

    String brokerPassword(Service service) {
        return passwords.getProperty(key("rabbitmq", service));
    }

    private static String key(String server, Service service) {
        return server + "." + service.name();
    }

    /** 24 random bytes, URL-safe Base64: no character that needs quoting anywhere. */
    static String generate() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void write(Path file, Properties passwords) throws IOException {
        StringWriter text = new StringWriter();
        passwords.store(text, "each service's own PostgreSQL and RabbitMQ password; delete to rotate them all");
        OwnerOnlyFiles.write(file, text.toString());
    }

}
