package io.podnet.cli.install;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What {@code podnet install} puts on a node, as paths relative to the root: the CNI plugin binary and its two
 * aliases in {@code opt/cni/bin}, one conflist in {@code etc/cni/net.d}, the agent's config in
 * {@code etc/podnet}, and the systemd unit in {@code etc/systemd/system} (its ExecStart pointing at this
 * installation's {@code bin/podnet}). Pure: the plugin's bytes and the settings come in, entries go out.
 */
public record InstallPlan(List<Entry> entries) {

    public static final String MANIFEST = "var/lib/podnet/install-manifest.json";

    /** Which conflist and agent config: a single-host bridge network, or the flannel-style overlay. */
    public enum Mode { BRIDGE, FLANNEL }

    /** A file (with mode bits) or a symbolic link, relative to the root. */
    public sealed interface Entry {
        String path();

        record File(String path, byte[] content, boolean executable) implements Entry {}

        record Link(String path, String target) implements Entry {}
    }

    public InstallPlan {
        entries = List.copyOf(entries);
    }

    /** The settings: mode, where this installation lives (for the unit's ExecStart), etcd endpoints for the overlay. */
    public record Settings(Mode mode, Path podnetHome, String etcdEndpoints) {
        public Settings {
            Objects.requireNonNull(mode);
            if (mode == Mode.FLANNEL && (etcdEndpoints == null || etcdEndpoints.isBlank())) {
                throw new IllegalArgumentException("--etcd-endpoints is required for --mode flannel (the agent keeps its lease in etcd)");
            }
        }
    }

    public static InstallPlan of(Settings s, byte[] plugin) throws IOException {
        List<Entry> e = new ArrayList<>();
        e.add(new Entry.File("opt/cni/bin/podnet", plugin, true));
        e.add(new Entry.Link("opt/cni/bin/podnet-ipam", "podnet"));
        e.add(new Entry.Link("opt/cni/bin/podnet-flannel", "podnet"));
        String conf = s.mode == Mode.BRIDGE ? "10-podnet-bridge.conflist" : "10-podnet-flannel.conflist";
        e.add(new Entry.File("etc/cni/net.d/10-podnet.conflist", resource(conf), false));
        String agent = s.mode == Mode.BRIDGE ? "agent-bridge.yaml" : "agent-overlay.yaml";
        String yaml = new String(resource(agent), StandardCharsets.UTF_8).replace("@ETCD_ENDPOINTS@", s.etcdEndpoints == null ? "" : s.etcdEndpoints);
        e.add(new Entry.File("etc/podnet/agent.yaml", yaml.getBytes(StandardCharsets.UTF_8), false));
        String unit = new String(resource("podnet-agent.service"), StandardCharsets.UTF_8).replace("@PODNET_HOME@", s.podnetHome.toString());
        e.add(new Entry.File("etc/systemd/system/podnet-agent.service", unit.getBytes(StandardCharsets.UTF_8), false));
        return new InstallPlan(e);
    }

    /** One of the templates shipped in the jar (also copied into the distribution's conf/ and systemd/). */
    public static byte[] resource(String name) throws IOException {
        try (InputStream in = InstallPlan.class.getResourceAsStream(name)) {
            if (in == null) throw new IOException("missing resource " + name);
            return in.readAllBytes();
        }
    }
}
