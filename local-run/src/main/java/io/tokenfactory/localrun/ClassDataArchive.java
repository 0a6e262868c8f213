package io.tokenfactory.localrun;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A service's jar unpacked for class-data sharing, and its archive. Most of a Spring
 * service's start-up on a small machine is finding, reading, verifying and linking
 * thousands of classes out of jars nested in its jar; the JVM can map them instead from
 * an archive of the classes the service loaded last time (AppCDS), but only from plain
 * jars on the class path, so the jar is unpacked first (Spring Boot's
 * {@code jarmode=tools extract}; on its own that took metering-service's start from 7.3 s
 * to 4.6 s).
 * <p>
 * The archive is written by the service itself: the first start after a build runs with
 * {@code -XX:ArchiveClassesAtExit} and the JVM dumps what it loaded when the service
 * stops; every later start maps it. A training run at build time would need the database
 * and the broker, and a real run archives what the service really uses. A new jar, or
 * another JDK, unpacks afresh and drops the old archive; an archive the JVM cannot use
 * for other reasons (other JVM options) is ignored by the JVM, which then starts as
 * without.
 */
final class ClassDataArchive {

    private final Path directory;

    private final Path unpackedJar;

    private ClassDataArchive(Path directory, Path unpackedJar) {
        this.directory = directory;
        this.unpackedJar = unpackedJar;
    }

    /**
     * Unpacks {@code executableJar} into {@code directory} unless it holds that very jar
     * (same size and time), unpacked for the same JVM, already.
     */
    static ClassDataArchive prepare(Path directory, Path executableJar, String java) {
        try {
            Path stamp = directory.resolve("jar-stamp");
            // an archive belongs to one jar and one JVM build: another JDK ignores it
            String jar = executableJar.toAbsolutePath() + " " + Files.size(executableJar) + " "
                    + Files.getLastModifiedTime(executableJar).toMillis() + " " + java + " "
                    + System.getProperty("java.vm.version");
            Path unpacked = directory.resolve("app").resolve(executableJar.getFileName());
            if (!Files.isRegularFile(unpacked) || !Files.exists(stamp) || !Files.readString(stamp).equals(jar)) {
                deleteRecursively(directory);
                Files.createDirectories(directory);
                unpack(executableJar, directory.resolve("app"), java);
                Files.writeString(stamp, jar);
            }
            return new ClassDataArchive(directory, unpacked);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Could not unpack " + executableJar + " for class-data sharing", e);
        }
    }

    /** The unpacked jar: its manifest's class path names the unpacked libraries. */
    Path jar() {
        return unpackedJar;
    }

    /** The JVM options that map the archive, or that write one when the service stops. */
    List<String> javaOptions() {
        if (Files.isRegularFile(archive())) {
            return List.of("-XX:SharedArchiveFile=" + archive());
        }
        // classes the archive cannot hold (generated accessors of old class-file
        // versions) are warned about one by one at exit; the archive is fine without them
        return List.of("-XX:ArchiveClassesAtExit=" + dump(), "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    }

    /**
     * The service stopped: an archive it dumped is kept if it stopped by itself (the dump
     * is whole), dropped if it had to be killed.
     */
    void stopped(boolean gracefully) {
        try {
            if (gracefully && Files.isRegularFile(dump()) && Files.size(dump()) > 0) {
                Files.move(dump(), archive(), StandardCopyOption.REPLACE_EXISTING);
            }
            else {
                Files.deleteIfExists(dump());
            }
        }
        catch (IOException e) {
            // no archive: the next start writes one again
        }
    }

    private Path archive() {
        return directory.resolve("classes.jsa");
    }

    private Path dump() {
        return directory.resolve("classes.jsa.new");
    }

    private static void unpack(Path executableJar, Path destination, String java) throws IOException {
        Process extract = new ProcessBuilder(java, "-Djarmode=tools", "-jar", executableJar.toString(), "extract",
                "--destination", destination.toString())
            .redirectErrorStream(true)
            .start();
        String output = new String(extract.getInputStream().readAllBytes());
        try {
            if (extract.waitFor() != 0) {
                throw new IOException("jarmode=tools extract exited with " + extract.exitValue() + ": " + output);
            }
        }
        catch (InterruptedException e) {
            extract.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unpacking", e);
        }
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

}
