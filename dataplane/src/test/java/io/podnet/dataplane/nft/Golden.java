package io.podnet.dataplane.nft;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files under {@code src/test/resources/golden/}: compared exactly; {@code -Dgolden.update=true} rewrites
 * them from the actual output (then review the diff and commit it).
 */
final class Golden {
    private Golden() {}

    static void check(String name, String actual) throws IOException {
        Path file = Path.of("src/test/resources/golden").resolve(name);
        if (Boolean.getBoolean("golden.update")) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, actual, StandardCharsets.UTF_8);
            return;
        }
        assertThat(file).as("golden file " + file + " (create it with -Dgolden.update=true)").exists();
        assertThat(actual).as("rendering differs from " + file + " (regenerate with -Dgolden.update=true)")
                .isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    }
}
