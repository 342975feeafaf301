package io.podnet.cli;

import io.podnet.cli.install.InstallPlan;
import io.podnet.cli.install.Installer;
import io.podnet.cli.lab.CniPlugin;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code podnet install} and {@code podnet uninstall}: put podnet onto a node and take exactly that away again. */
@Command(name = "install", description = "Install the CNI plugin (opt/cni/bin/podnet, podnet-ipam, podnet-flannel), a conflist "
        + "(etc/cni/net.d/10-podnet.conflist), the agent config (etc/podnet/agent.yaml) and its systemd unit "
        + "(etc/systemd/system/podnet-agent.service) under --root, recording each in var/lib/podnet/install-manifest.json.")
final class InstallCommand implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Option(names = "--root", defaultValue = "/", description = "Install under this directory (default: ${DEFAULT-VALUE}).")
    Path root;
    @Option(names = "--mode", defaultValue = "bridge", description = "bridge (single host, local IPAM) or flannel (overlay with etcd) (default: ${DEFAULT-VALUE}).")
    String mode;
    @Option(names = "--etcd-endpoints", description = "flannel mode: etcd client URLs, comma separated, for agent.yaml.")
    String etcd;
    @Option(names = "--plugin", description = "The CNI plugin binary to install (default: this installation's cni/bin/podnet).")
    Path plugin;
    @Option(names = "--force", description = "Replace files that exist with other content (each is saved as NAME.podnet-saved and restored by uninstall).")
    boolean force;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        InstallPlan.Mode m;
        try {
            m = InstallPlan.Mode.valueOf(mode.toUpperCase());
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("podnet install: --mode must be bridge or flannel, not " + mode);
            return 2;
        }
        Path home = home();
        try {
            InstallPlan plan = InstallPlan.of(new InstallPlan.Settings(m, home, etcd), Files.readAllBytes(pluginBinary(home)));
            Installer.install(root.toAbsolutePath(), plan, force, line -> out.println("[install] " + line));
        } catch (IllegalArgumentException | Installer.ConflictException e) {
            spec.commandLine().getErr().println("podnet install: " + e.getMessage());
            return 2;
        }
        out.println("[install] done; start the agent: systemctl daemon-reload && systemctl enable --now podnet-agent"
                + (root.toAbsolutePath().equals(Path.of("/")) ? "" : " (on the system whose root is " + root + ")"));
        out.flush();
        return 0;
    }

    /** Where this installation lives: {@code $PODNET_HOME} (set by the launcher), else the working directory. */
    static Path home() {
        return Path.of(System.getenv().getOrDefault("PODNET_HOME", ".")).toAbsolutePath().normalize();
    }

    private Path pluginBinary(Path home) throws Exception {
        if (plugin != null) return plugin;
        Path dist = home.resolve("cni/bin/podnet");
        if (Files.isRegularFile(dist)) return dist;
        Path dev = home.resolve("cni/target/bin");
        CniPlugin.ensureBuilt(dev, null); // a source tree: build the shim from cni/src/main/c
        return dev.resolve("podnet");
    }

    @Command(name = "uninstall", description = "Remove what podnet install put under --root (as its manifest records it); files changed since "
            + "are kept with a warning, files it replaced are restored.")
    static final class Uninstall implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;
        @Option(names = "--root", defaultValue = "/", description = "The directory podnet was installed under (default: ${DEFAULT-VALUE}).")
        Path root;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try {
                List<String> kept = Installer.uninstall(root.toAbsolutePath(), line -> out.println("[uninstall] " + line));
                out.println("[uninstall] done" + (kept.isEmpty() ? "" : "; kept " + kept.size() + " changed file(s)"));
                out.flush();
                return 0;
            } catch (java.io.IOException e) {
                spec.commandLine().getErr().println("podnet uninstall: " + e.getMessage());
                return 1;
            }
        }
    }
}
