package io.tokenfactory.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The image's build step: DJL's natives unpacked into its cache directory, where a later
 * start finds them.
 */
class NativeLibrariesTests {

    @Test
    void unpacksPyTorchAndTheTokenizersIntoTheCacheDirectory() throws IOException {
        Path cache = NativeLibraries.unpack();

        try (Stream<Path> files = Files.walk(cache)) {
            assertThat(files.map(file -> file.getFileName().toString())).anyMatch(name -> name.startsWith("libtorch"))
                .anyMatch(name -> name.contains("tokenizers"));
        }
    }

}
