package io.podnet.agent.cni;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.testkit.Daemons;
import io.podnet.testkit.Netns;
import io.podnet.testkit.Sh;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A private containerd 1.6 (Debian's, installed with docker.io) with its CRI plugin, for CNI tests with a real
 * kubelet-side runtime (REAL-CLIENTS.md 4): started with {@code nsenter --net} inside a throwaway namespace (so the
 * CNI plugins it runs, the bridge and portmap's iptables rules live there), root, state, opt dir and sockets under
 * a work dir, runc with cgroupfs, one CNI config dir and one plugin dir. Images come from a tar (no registry):
 * {@link #importImage} writes an OCI image layout and runs {@code ctr images import}. {@link #close()} stops
 * containerd by PID, then kills by PID the shims (their command line names our socket) and unmounts what is left
 * under the work dir. Pod network namespaces are containerd's own ({@code /var/run/netns/cni-<uuid>}), removed by
 * it when a sandbox stops.
 */
final class Containerd implements AutoCloseable {
    static final Path CONTAINERD = Path.of("/usr/bin/containerd");
    static final Path CTR = Path.of("/usr/bin/ctr");
    static final Path BUSYBOX = Path.of("/bin/busybox");
    private final Path work;
    private final Process daemon;

    private Containerd(Path work, Process daemon) {
        this.work = work;
        this.daemon = daemon;
    }

    /** Why containerd CRI tests cannot run here, or empty. */
    static Optional<String> unavailable() {
        if (!Netns.privileged()) return Optional.of("needs root");
        for (Path p : List.of(CONTAINERD, CTR, Path.of("/usr/bin/containerd-shim-runc-v2"), Path.of("/usr/lib/cni/portmap"), BUSYBOX)) {
            if (!Files.isExecutable(p)) return Optional.of(p + " is missing (scripts/common.sh installs docker.io, containernetworking-plugins, busybox-static)");
        }
        if (!Sh.has("runc")) return Optional.of("runc is not installed");
        return Optional.empty();
    }

    /**
     * Starts containerd in {@code ns} with the CRI plugin reading {@code confDir} and running plugins from {@code binDir};
     * the sandbox ("pause") image is {@code sandboxImage}. Returns when the CRI answers {@code Version}.
     */
    static Containerd start(Netns ns, Path work, Path binDir, Path confDir, String sandboxImage) throws IOException {
        Files.createDirectories(work);
        Path config = work.resolve("config.toml");
        Files.writeString(config, """
                version = 2
                root = "%1$s/root"
                state = "%1$s/state"
                [grpc]
                  address = "%1$s/containerd.sock"
                [plugins."io.containerd.internal.v1.opt"]
                  path = "%1$s/opt"
                [plugins."io.containerd.grpc.v1.cri"]
                  sandbox_image = "%2$s"
                  restrict_oom_score_adj = true
                  disable_apparmor = true
                  stream_server_address = "127.0.0.1"
                  stream_server_port = "0"
                  [plugins."io.containerd.grpc.v1.cri".containerd]
                    snapshotter = "overlayfs"
                    default_runtime_name = "runc"
                    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
                      runtime_type = "io.containerd.runc.v2"
                  [plugins."io.containerd.grpc.v1.cri".cni]
                    bin_dir = "%3$s"
                    conf_dir = "%4$s"
                    max_conf_num = 1
                """.formatted(work, sandboxImage, binDir, confDir));
        // nsenter --net, not ip netns exec: the latter remounts /sys and hides the cgroup mounts runc needs
        Process p = new ProcessBuilder("nsenter", "--net=" + ns.path(), CONTAINERD.toString(), "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("containerd.log").toFile()))
                .redirectInput(new File("/dev/null")).start();
        Containerd c = new Containerd(work, p);
        try {
            Daemons.awaitTrue("containerd's CRI socket", Duration.ofSeconds(90), () -> {
                if (!p.isAlive()) throw new IllegalStateException("containerd exited: " + c.logTail());
                if (!Files.exists(c.socket())) return false;
                try (CriClient cri = new CriClient(c.socket())) {
                    return cri.version().getFirst().equals("containerd");
                } catch (Exception e) {
                    return false;
                }
            });
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    Path socket() { return work.resolve("containerd.sock"); }

    /**
     * Imports a busybox image named {@code name} (a full reference, e.g. {@code docker.io/library/x:latest}) whose
     * entrypoint is {@code entrypoint} and which holds {@code files} (path in the image to content).
     */
    void importImage(String name, List<String> entrypoint, Map<String, String> files) throws IOException {
        Path layout = Files.createDirectories(work.resolve("image-" + Integer.toHexString(name.hashCode())));
        Path root = Files.createDirectories(layout.resolve("rootfs/bin"));
        Files.copy(BUSYBOX, root.resolve("busybox"));
        for (String applet : List.of("sh", "sleep", "httpd", "ping", "ip", "cat")) Files.createSymbolicLink(root.resolve(applet), Path.of("busybox"));
        for (var f : files.entrySet()) {
            Path target = layout.resolve("rootfs").resolve(f.getKey().replaceFirst("^/", ""));
            Files.createDirectories(target.getParent());
            Files.writeString(target, f.getValue());
        }
        Path blobs = Files.createDirectories(layout.resolve("oci/blobs/sha256"));
        Path layerTar = layout.resolve("layer.tar");
        Sh.run(List.of("tar", "--sort=name", "--owner=0", "--group=0", "-C", layout.resolve("rootfs").toString(), "-cf", layerTar.toString(), "."), 60)
                .check();
        byte[] layer = Files.readAllBytes(layerTar);
        String layerDigest = blob(blobs, layer);
        ObjectNode cfg = CniTestBed.JSON.createObjectNode().put("architecture", "amd64").put("os", "linux");
        cfg.putObject("config").putPOJO("Entrypoint", entrypoint);
        cfg.putObject("rootfs").put("type", "layers").putArray("diff_ids").add(layerDigest);
        byte[] config = CniTestBed.JSON.writeValueAsBytes(cfg);
        String configDigest = blob(blobs, config);
        ObjectNode manifest = CniTestBed.JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json").put("digest", configDigest).put("size", config.length);
        manifest.putArray("layers").addObject().put("mediaType", "application/vnd.oci.image.layer.v1.tar").put("digest", layerDigest)
                .put("size", layer.length);
        byte[] manifestBytes = CniTestBed.JSON.writeValueAsBytes(manifest);
        ObjectNode index = CniTestBed.JSON.createObjectNode().put("schemaVersion", 2);
        index.putArray("manifests").addObject().put("mediaType", "application/vnd.oci.image.manifest.v1+json")
                .put("digest", blob(blobs, manifestBytes)).put("size", manifestBytes.length)
                .putObject("annotations").put("io.containerd.image.name", name);
        Files.write(layout.resolve("oci/index.json"), CniTestBed.JSON.writeValueAsBytes(index));
        Files.writeString(layout.resolve("oci/oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Path tar = layout.resolve("image.tar");
        Sh.run(List.of("tar", "-C", layout.resolve("oci").toString(), "-cf", tar.toString(), "."), 60).check();
        Sh.run(List.of(CTR.toString(), "-a", socket().toString(), "-n", "k8s.io", "images", "import", tar.toString()), 120).check();
    }

    private static String blob(Path blobs, byte[] content) throws IOException {
        try {
            String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
            Files.write(blobs.resolve(hex), content);
            return "sha256:" + hex;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    String logTail() {
        try {
            Path log = work.resolve("containerd.log");
            String s = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            return s.substring(Math.max(0, s.length() - 6000));
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() {
        if (daemon.isAlive()) Daemons.killAndWait(daemon.pid());
        String mark = socket().toString();
        ProcessHandle.allProcesses().filter(h -> h.pid() != ProcessHandle.current().pid()).forEach(h -> {
            try {
                String cmdline = Files.readString(Path.of("/proc", Long.toString(h.pid()), "cmdline")).replace('\0', ' ');
                if (!cmdline.contains(mark)) return;
                List<ProcessHandle> containers = h.descendants().toList(); // the sandboxes' processes, when a run failed midway
                Daemons.killAndWait(h.pid());
                containers.forEach(c -> Daemons.killAndWait(c.pid()));
            } catch (IOException | UncheckedIOException ignored) {
                // exited meanwhile
            }
        });
        try {
            PodmanIT.unmountUnder(work); // the overlayfs snapshots and sandbox shm mounts a killed containerd leaves
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
