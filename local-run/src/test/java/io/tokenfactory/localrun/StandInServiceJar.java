package io.tokenfactory.localrun;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The main class of {@link ClassDataArchiveTests}' stand-in service jar: with
 * {@code -Djarmode=tools extract --destination D} it copies its own jar into D, as Spring
 * Boot's tools do with the application's own classes; otherwise it "starts".
 */
public final class StandInServiceJar {

    private StandInServiceJar() {
    }

    public static void main(String[] arguments) throws Exception {
        if ("tools".equals(System.getProperty("jarmode"))) {
            Path self = Path.of(StandInServiceJar.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path destination = Path.of(arguments[2]);
            Files.createDirectories(destination);
            Files.copy(self, destination.resolve(self.getFileName()));
            return;
        }
        System.out.println("started");
    }

}
