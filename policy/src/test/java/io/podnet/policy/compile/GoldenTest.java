package io.podnet.policy.compile;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.net.IpFamily;
import io.podnet.policy.codec.ResourceDecoder;
import io.podnet.policy.nft.Ruleset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden output: each {@code captures/policy/<case>.yaml} (resources, with a header naming the node, its
 * attachment and families) compiles to exactly {@code <case>.nft}. Regenerate with {@code -Dgolden.update=true}
 * and review the diff; {@code GoldenNftNetnsIT} loads every golden file into a real kernel.
 */
class GoldenTest {
    static final Path DIR = Path.of("src/test/resources/captures/policy");
    private static final Pattern NODE = Pattern.compile("^# node: (\\S+)", Pattern.MULTILINE);
    private static final Pattern ATTACH = Pattern.compile("^# attachment: (routed|bridged)", Pattern.MULTILINE);
    private static final Pattern FAMILIES = Pattern.compile("^# families: ([46,]+)", Pattern.MULTILINE);
    private static final Pattern PASS = Pattern.compile("^# pass: (allow|deny)", Pattern.MULTILINE);

    /** The ruleset a case file describes. */
    static Ruleset compile(Path yaml) throws Exception {
        String text = Files.readString(yaml);
        Set<IpFamily> families = EnumSet.noneOf(IpFamily.class);
        for (String f : find(FAMILIES, text, "4").split(",")) families.add(f.equals("4") ? IpFamily.V4 : IpFamily.V6);
        CompileOptions options = new CompileOptions(CompileOptions.DEFAULT_TABLE, families, find(PASS, text, "allow").equals("allow"));
        String node = find(NODE, text, "node1");
        NodeView view = find(ATTACH, text, "routed").equals("routed") ? NodeView.routed(node) : NodeView.bridged(node);
        return new PolicyCompiler(options).compile(PolicyInputs.of(ResourceDecoder.decode(text, "default")), view);
    }

    private static String find(Pattern p, String text, String otherwise) {
        Matcher m = p.matcher(text);
        return m.find() ? m.group(1) : otherwise;
    }

    static List<Path> cases() throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyCaseRendersExactlyItsGoldenFile() throws IOException {
        boolean update = Boolean.getBoolean("golden.update");
        return cases().stream().map(yaml -> DynamicTest.dynamicTest(yaml.getFileName().toString(), () -> {
            String rendered = compile(yaml).render();
            Path golden = Path.of(yaml.toString().replaceFirst("\\.yaml$", ".nft"));
            if (update) Files.writeString(golden, rendered);
            assertThat(golden).as("golden file (regenerate with -Dgolden.update=true)").exists();
            assertThat(rendered).isEqualTo(Files.readString(golden));
        }));
    }
}
