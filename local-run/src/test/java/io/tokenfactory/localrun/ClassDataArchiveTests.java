package io.tokenfactory.localrun;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive's life on a real JVM: the first start writes it when the process ends by
 * itself, the next start maps it ({@code -Xshare:on} fails the start if it cannot), a
 * killed process leaves none, and a new jar is unpacked afresh without the old archive.
 * The jar is a stand-in for a Spring Boot jar that answers {@code jarmode=tools extract}
 * as Spring Boot's does: a copy of itself in the destination.
 */
class ClassDataArchiveTests {

    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @TempDir
    Path work;

    @Test
    void theFirstRunWritesTheArchiveAndTheNextMapsIt() throws Exception {
        Path jar = serviceJar("service-exec.jar");
        ClassDataArchive first = ClassDataArchive.prepare(work.resolve("cds"), jar, JAVA);
        assertThat(first.jar()).isEqualTo(work.resolve("cds/app/service-exec.jar")).isRegularFile();
        assertThat(first.javaOptions()).anyMatch(option -> option.startsWith("-XX:ArchiveClassesAtExit="));

        assertThat(run(first.javaOptions(), first.jar())).contains("started");
        first.stopped(true);

        ClassDataArchive second = ClassDataArchive.prepare(work.resolve("cds"), jar, JAVA);
        assertThat(second.javaOptions()).containsExactly("-XX:SharedArchiveFile=" + work.resolve("cds/classes.jsa"));
        List<String> mapped = new ArrayList<>(second.javaOptions());
        mapped.add("-Xshare:on");
        mapped.add("-Xlog:class+load=info");
        // the stand-in's main class came from the archive, not from its jar
        assertThat(run(mapped, second.jar())).contains("StandInServiceJar source: shared objects file (top)")
            .contains("started");
    }

    @Test
    void aKilledServiceLeavesNoArchiveAndANewJarDropsTheOldOne() throws Exception {
        Path jar = serviceJar("service-exec.jar");
        ClassDataArchive archive = ClassDataArchive.prepare(work.resolve("cds"), jar, JAVA);
        run(archive.javaOptions(), archive.jar());
        archive.stopped(false);
        assertThat(ClassDataArchive.prepare(work.resolve("cds"), jar, JAVA).javaOptions())
            .anyMatch(option -> option.startsWith("-XX:ArchiveClassesAtExit="));
        assertThat(work.resolve("cds/classes.jsa.new")).doesNotExist();

        run(archive.javaOptions(), archive.jar());
        archive.stopped(true);
        assertThat(work.resolve("cds/classes.jsa")).isRegularFile();
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 60_000));
        ClassDataArchive rebuilt = ClassDataArchive.prepare(work.resolve("cds"), jar, JAVA);
        assertThat(work.resolve("cds/classes.jsa")).doesNotExist();
        assertThat(rebuilt.jar()).isRegularFile();
        assertThat(rebuilt.javaOptions()).anyMatch(option -> option.startsWith("-XX:ArchiveClassesAtExit="));
    }

    private String run(List<String> options, Path jar) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(JAVA));
        command.addAll(options);
        command.addAll(List.of("-jar", jar.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes()).strip();
        assertThat(process.waitFor()).as(output).isZero();
        return output;
    }

    /** A jar whose main class is {@link StandInServiceJar}. */
    private Path serviceJar(String name) throws IOException, URISyntaxException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, StandInServiceJar.class.getName());
        Path jar = work.resolve(name);
        String entry = StandInServiceJar.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file, manifest);
                InputStream in = StandInServiceJar.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }

}
