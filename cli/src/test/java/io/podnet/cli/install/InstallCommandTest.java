package io.podnet.cli.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.cli.Main;
import io.podnet.testkit.RunId;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code podnet install --root DIR} then {@code uninstall} on private roots: the root ends as it began. */
class InstallCommandTest {
    Path root;
    Path plugin;

    record Run(int code, String out, String err) {}

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createTempDirectory(RunId.prefix() + "root");
        plugin = Files.createTempFile(RunId.prefix(), "plugin");
        Files.writeString(plugin, "#!/bin/sh\necho fake podnet plugin\n");
        // what a node has before: another CNI config, a reference plugin, the directories
        Files.createDirectories(root.resolve("etc/cni/net.d"));
        Files.writeString(root.resolve("etc/cni/net.d/87-podman-bridge.conflist"), "{\"name\":\"podman\"}");
        Files.createDirectories(root.resolve("opt/cni/bin"));
        Files.writeString(root.resolve("opt/cni/bin/bridge"), "reference bridge");
        Files.createDirectories(root.resolve("etc/systemd/system"));
    }

    @AfterEach
    void tearDown() throws IOException {
        try (var s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(plugin);
    }

    Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Every path under the root with its kind, permissions and content (or link target). */
    Map<String, String> tree() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (var s = Files.walk(root)) {
            for (Path p : s.toList()) {
                String k = Files.isSymbolicLink(p) ? "link " + Files.readSymbolicLink(p)
                        : Files.isDirectory(p) ? "dir" : "file " + Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS) + " " + Files.readString(p);
                out.put(root.relativize(p).toString(), k);
            }
        }
        return out;
    }

    @Test
    void installThenUninstallLeavesTheRootAsItWas() throws IOException {
        Map<String, String> before = tree();
        Run in = run("install", "--root", root.toString(), "--plugin", plugin.toString());
        assertThat(in.code()).as(in.err()).isZero();
        assertThat(Files.isExecutable(root.resolve("opt/cni/bin/podnet"))).isTrue();
        assertThat(Files.readSymbolicLink(root.resolve("opt/cni/bin/podnet-flannel"))).isEqualTo(Path.of("podnet"));
        assertThat(Files.readString(root.resolve("etc/cni/net.d/10-podnet.conflist"))).contains("\"type\": \"podnet\"");
        assertThat(Files.readString(root.resolve("etc/systemd/system/podnet-agent.service")))
                .contains("/bin/podnet agent --config /etc/podnet/agent.yaml").doesNotContain("@PODNET_HOME@");
        assertThat(root.resolve(InstallPlan.MANIFEST)).exists();
        assertThat(in.out()).contains("wrote " + root.resolve("etc/podnet/agent.yaml"));

        Run un = run("uninstall", "--root", root.toString());
        assertThat(un.code()).as(un.err()).isZero();
        assertThat(tree()).isEqualTo(before);
    }

    @Test
    void aFileTheUserChangedIsKeptWithAWarningAndEverythingElseGoes() throws IOException {
        assertThat(run("install", "--root", root.toString(), "--plugin", plugin.toString(), "--mode", "flannel",
                "--etcd-endpoints", "http://10.0.0.1:2379").code()).isZero();
        assertThat(Files.readString(root.resolve("etc/podnet/agent.yaml"))).contains("endpoints: [http://10.0.0.1:2379]");
        Files.writeString(root.resolve("etc/podnet/agent.yaml"), "# my own\n", java.nio.file.StandardOpenOption.APPEND);
        Run un = run("uninstall", "--root", root.toString());
        assertThat(un.code()).isZero();
        assertThat(un.out()).contains("WARNING: kept " + root.resolve("etc/podnet/agent.yaml")).contains("kept 1 changed file(s)");
        assertThat(root.resolve("etc/podnet/agent.yaml")).exists();
        assertThat(root.resolve("opt/cni/bin/podnet")).doesNotExist();
        assertThat(root.resolve("etc/cni/net.d/10-podnet.conflist")).doesNotExist();
        assertThat(root.resolve("var")).doesNotExist();
    }

    @Test
    void anExistingDifferentFileStopsTheInstallUnlessForcedAndIsRestoredAfter() throws IOException {
        Files.writeString(root.resolve("etc/cni/net.d/10-podnet.conflist"), "{\"name\":\"mine\"}");
        Map<String, String> before = tree();
        Run refused = run("install", "--root", root.toString(), "--plugin", plugin.toString());
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("10-podnet.conflist exists with other content").contains("--force");
        assertThat(tree()).isEqualTo(before);

        assertThat(run("install", "--root", root.toString(), "--plugin", plugin.toString(), "--force").code()).isZero();
        assertThat(Files.readString(root.resolve("etc/cni/net.d/10-podnet.conflist.podnet-saved"))).isEqualTo("{\"name\":\"mine\"}");
        assertThat(run("install", "--root", root.toString(), "--plugin", plugin.toString()).err()).contains("already installed");
        assertThat(run("uninstall", "--root", root.toString()).code()).isZero();
        assertThat(tree()).isEqualTo(before);
    }

    @Test
    void anIdenticalFileIsLeftAloneAndSurvivesUninstall() throws IOException {
        Files.copy(plugin, root.resolve("opt/cni/bin/podnet"));
        Files.setPosixFilePermissions(root.resolve("opt/cni/bin/podnet"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> before = tree();
        Run in = run("install", "--root", root.toString(), "--plugin", plugin.toString());
        assertThat(in.out()).contains("unchanged (already there, left alone) " + root.resolve("opt/cni/bin/podnet"));
        assertThat(run("uninstall", "--root", root.toString()).code()).isZero();
        assertThat(tree()).isEqualTo(before);
    }

    @Test
    void badInputNamesTheField() {
        assertThat(run("install", "--root", root.toString(), "--plugin", plugin.toString(), "--mode", "flannel").err()).contains("--etcd-endpoints is required");
        assertThat(run("install", "--root", root.toString(), "--plugin", plugin.toString(), "--mode", "calico").err()).contains("--mode must be bridge or flannel");
        Run un = run("uninstall", "--root", root.toString());
        assertThat(un.code()).isEqualTo(1);
        assertThat(un.err()).contains("podnet is not installed under");
    }
}
