package io.podnet.net.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {
    @TempDir
    Path dir;

    @Test
    void replacesTheContentWholeAndLeavesNoTempFileBehind() throws Exception {
        Path f = dir.resolve("a/b/state.json");
        AtomicFile.write(f, "one");
        AtomicFile.write(f, "two");
        AtomicFile.write(f, "three".getBytes(), false);
        assertThat(f).hasContent("three");
        try (Stream<Path> s = Files.list(f.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("state.json");
        }
        assertThat(AtomicFile.delete(f, true)).isTrue();
        assertThat(AtomicFile.delete(f, true)).isFalse();
    }
}
