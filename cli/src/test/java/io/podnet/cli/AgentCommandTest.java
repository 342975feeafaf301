package io.podnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.agent.AgentConfig;
import java.io.StringWriter;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code podnet agent} flags against a config file: a flag replaces exactly the field it names. */
class AgentCommandTest {
    @TempDir Path dir;

    private AgentConfig effective(String yaml, String... args) throws Exception {
        Path f = dir.resolve("agent.yaml");
        Files.writeString(f, yaml);
        AgentCommand cmd = new AgentCommand();
        String[] all = new String[args.length + 2];
        all[0] = "--config";
        all[1] = f.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        new CommandLine(cmd).parseArgs(all);
        return cmd.effectiveConfig();
    }

    @Test
    void etcdEndpointsOnTheCommandLineKeepTheFilesTlsAndAuth() throws Exception {
        AgentConfig c = effective("""
                etcd: {endpoints: [https://10.0.0.1:2379], caFile: /ca.pem, certFile: /c.pem, keyFile: /k.pem, username: u, password: p}
                """, "--etcd-endpoints", "https://127.0.0.1:2379,https://127.0.0.2:2379");
        assertThat(c.etcd().endpoints()).containsExactly(URI.create("https://127.0.0.1:2379"), URI.create("https://127.0.0.2:2379"));
        assertThat(c.etcd().caFile()).isEqualTo(Path.of("/ca.pem"));
        assertThat(c.etcd().certFile()).isEqualTo(Path.of("/c.pem"));
        assertThat(c.etcd().keyFile()).isEqualTo(Path.of("/k.pem"));
        assertThat(c.etcd().username()).isEqualTo("u");
        assertThat(c.etcd().password()).isEqualTo("p");
    }

    @Test
    void overlayAndDockerFlagsKeepTheOtherFieldsOfTheirSections() throws Exception {
        AgentConfig c = effective("""
                etcd: {endpoints: [http://10.0.0.1:2379]}
                overlay: {enabled: true, prefix: /x/network, ipMasq: false, udpOffloads: false}
                cnm: {enabled: false, poolLength: 26, ipMasq: false}
                """, "--iface", "eth9", "--docker");
        assertThat(c.overlay().iface()).isEqualTo("eth9");
        assertThat(c.overlay().prefix()).isEqualTo("/x/network");
        assertThat(c.overlay().ipMasq()).isFalse();
        assertThat(c.overlay().udpOffloads()).isFalse();
        assertThat(c.cnmEnabled()).isTrue();
        assertThat(c.cnm().poolLength()).isEqualTo(26);
        assertThat(c.cnm().ipMasq()).isFalse();
    }

    @Test
    void theHelpPointsToAReadmeSectionThatExists() throws Exception {
        StringWriter out = new StringWriter();
        new CommandLine(new Main()).setOut(new PrintWriter(out, true)).execute("help", "agent");
        var m = java.util.regex.Pattern.compile("README section \"([^\"]+)\"").matcher(out.toString().replaceAll("\\s+", " "));
        assertThat(m.find()).as(out.toString()).isTrue();
        String readme = Files.readString(Path.of("../README.md"));
        assertThat(readme).as("a README heading for " + m.group(1)).containsPattern("(?m)^#+ `?" + java.util.regex.Pattern.quote(m.group(1)) + "`?\\s*$");
    }
}
