package io.podnet.policy.compile;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.testkit.Netns;
import io.podnet.testkit.NetnsExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every golden file is a ruleset the kernel takes: loaded with {@code nft -f} into a fresh namespace, and read back. */
@ExtendWith(NetnsExtension.class)
class GoldenNftNetnsIT {

    @Test
    void theKernelAcceptsEveryGoldenRuleset(Netns ns) throws Exception {
        List<Path> cases = GoldenTest.cases();
        assertThat(cases).isNotEmpty();
        for (Path yaml : cases) {
            Path golden = Path.of(yaml.toString().replaceFirst("\\.yaml$", ".nft"));
            String text = Files.readString(golden);
            Path file = Files.createTempFile("podnet-golden", ".nft");
            try {
                // replace form: the same file loads over whatever the previous case left
                Files.writeString(file, GoldenTest.compile(yaml).renderReplace());
                var r = ns.exec("nft", "-f", file.toString());
                assertThat(r.ok()).as(golden.getFileName() + ": " + r.err()).isTrue();
                String listed = ns.exec("nft", "list", "ruleset").check().out();
                assertThat(listed).as(golden.getFileName().toString()).contains("table inet podnet-policy");
                if (text.contains("table bridge")) assertThat(listed).contains("table bridge podnet-policy");
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }
}
