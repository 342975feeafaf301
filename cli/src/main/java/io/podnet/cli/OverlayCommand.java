package io.podnet.cli;

import io.podnet.datastore.Datastore;
import io.podnet.datastore.etcd.EtcdConfig;
import io.podnet.datastore.etcd.EtcdClient;
import io.podnet.overlay.subnet.NetworkConfig;
import io.podnet.overlay.subnet.SubnetLease;
import io.podnet.overlay.subnet.SubnetManager;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code podnet overlay}: the flannel-style overlay's cluster state in etcd — the network config
 * ({@code <prefix>/config}, flannel's JSON) and the nodes' subnet leases.
 */
@Command(name = "overlay", description = "Show and write the overlay network config and leases in etcd.",
        subcommands = {OverlayCommand.Config.class, OverlayCommand.Leases.class})
final class OverlayCommand {

    /** {@code podnet overlay config show|set}. */
    @Command(name = "config", description = "The overlay network config at <prefix>/config.",
            subcommands = {ConfigShow.class, ConfigSet.class})
    static final class Config {}

    /** etcd connection flags shared by every subcommand. */
    static final class EtcdOptions {
        @Option(names = "--etcd-endpoints", split = ",", defaultValue = "${env:ETCD_ENDPOINTS:-http://127.0.0.1:2379}",
                description = "etcd client URLs, comma separated (default: $ETCD_ENDPOINTS or ${DEFAULT-VALUE}).")
        List<URI> endpoints;
        @Option(names = "--etcd-prefix", defaultValue = SubnetManager.DEFAULT_PREFIX,
                description = "Key prefix of the overlay (default: ${DEFAULT-VALUE}).")
        String prefix;

        SubnetManager open(Datastore[] holder) throws Exception {
            holder[0] = EtcdClient.HTTP.connect(EtcdConfig.of(endpoints));
            return new SubnetManager(holder[0], prefix, new java.util.SplittableRandom(), SubnetManager.LEASE_TTL);
        }
    }

    /** Runs {@code body} with a connected manager; typed errors become one line on stderr and exit code 1. */
    static int withManager(EtcdOptions etcd, CommandLine.Model.CommandSpec spec, Body body) {
        Datastore[] store = new Datastore[1];
        try {
            return body.run(etcd.open(store), spec.commandLine().getOut());
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("podnet overlay: invalid config: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            spec.commandLine().getErr().println("podnet overlay: " + e.getMessage());
            return 1;
        } finally {
            if (store[0] != null) store[0].close();
        }
    }

    interface Body {
        int run(SubnetManager mgr, PrintWriter out) throws Exception;
    }

    @Command(name = "show", description = "Print the network config (with flannel's defaults filled in).")
    static final class ConfigShow implements Callable<Integer> {
        @Mixin EtcdOptions etcd;
        @Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            return withManager(etcd, spec, (mgr, out) -> {
                out.println(mgr.config().toJson());
                return 0;
            });
        }
    }

    @Command(name = "set", description = "Validate and write the network config: a JSON file or argument "
            + "(flannel's format, e.g. '{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"vxlan\"}}'), or flags.")
    static final class ConfigSet implements Callable<Integer> {
        @Mixin EtcdOptions etcd;
        @Spec CommandLine.Model.CommandSpec spec;
        @Option(names = "--file", description = "Read the JSON config from this file.")
        Path file;
        @Option(names = "--json", description = "The JSON config as an argument.")
        String json;
        @Option(names = "--network", description = "Network CIDR (flannel's Network), e.g. 10.244.0.0/16.")
        String network;
        @Option(names = "--subnet-len", description = "Prefix length of each node's subnet (default: flannel's rule, 24).")
        Integer subnetLen;
        @Option(names = "--backend", description = "vxlan, host-gw or udp (default: vxlan).")
        String backend;
        @Option(names = "--vni", description = "vxlan: VNI (default 1).")
        Integer vni;
        @Option(names = "--port", description = "vxlan/udp: UDP port (default 8472 for vxlan, 8285 for udp).")
        Integer port;

        @Override
        public Integer call() throws Exception {
            String text = json != null ? json : file != null ? Files.readString(file) : fromFlags();
            if (text == null) {
                spec.commandLine().getErr().println("podnet overlay config set: give --file, --json or --network");
                return 2;
            }
            return withManager(etcd, spec, (mgr, out) -> {
                NetworkConfig cfg = NetworkConfig.parse(text); // every error names its field
                mgr.writeConfig(cfg);
                out.println("wrote " + mgr.configKey() + " = " + cfg.toJson());
                return 0;
            });
        }

        private String fromFlags() {
            if (network == null) return null;
            var m = new com.fasterxml.jackson.databind.ObjectMapper();
            var o = m.createObjectNode().put("Network", network);
            if (subnetLen != null) o.put("SubnetLen", subnetLen);
            var b = o.putObject("Backend").put("Type", backend == null ? "vxlan" : backend);
            if (vni != null) b.put("VNI", vni);
            if (port != null) b.put("Port", port);
            return o.toString();
        }
    }

    @Command(name = "leases", description = "List the nodes' subnet leases: subnet, PublicIP, backend, VTEP MAC.")
    static final class Leases implements Callable<Integer> {
        @Mixin EtcdOptions etcd;
        @Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            return withManager(etcd, spec, (mgr, out) -> {
                out.printf("%-20s %-16s %-8s %s%n", "SUBNET", "PUBLIC-IP", "BACKEND", "VTEP-MAC");
                for (SubnetLease l : mgr.leases()) {
                    out.printf("%-20s %-16s %-8s %s%n", l.subnet(), l.attrs().publicIp(),
                            l.attrs().backendType().isEmpty() ? "udp" : l.attrs().backendType(),
                            l.attrs().vtepMac().map(Object::toString).orElse("-"));
                }
                return 0;
            });
        }
    }
}
