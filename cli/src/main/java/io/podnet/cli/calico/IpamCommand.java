package io.podnet.cli.calico;

import io.podnet.calico.IpPool;
import io.podnet.calico.IpamConfiguration;
import io.podnet.calico.ObjectMeta;
import io.podnet.ipam.cluster.AllocationBlock;
import io.podnet.ipam.cluster.ClusterIpam;
import io.podnet.ipam.cluster.IpamCheck;
import io.podnet.ipam.cluster.IpamMaintenance;
import io.podnet.ipam.cluster.IpamReader;
import io.podnet.ipam.cluster.Versioned;
import io.podnet.net.IpAddress;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code podnet ipam show|check|release|configure}: calicoctl's IPAM commands. */
@Command(name = "ipam", description = "Cluster IPAM: usage, consistency check, release, configuration (calicoctl ipam).",
        subcommands = {IpamCommand.Show.class, IpamCommand.Check.class, IpamCommand.Release.class, IpamCommand.Configure.class})
public final class IpamCommand {

    @Command(name = "show", description = "Pool usage (--show-blocks: per block), who holds an address (--ip), borrowed addresses, the configuration.")
    static final class Show implements Callable<Integer> {
        @Mixin DatastoreOptions ds;
        @Spec CommandLine.Model.CommandSpec spec;
        @Option(names = "--ip", description = "Show who holds this address.")
        String ip;
        @Option(names = "--show-blocks", description = "Add a row per block.")
        boolean blocks;
        @Option(names = "--show-borrowed", description = "List addresses nodes borrowed from other nodes' blocks.")
        boolean borrowed;
        @Option(names = "--show-configuration", description = "Show the IPAM configuration.")
        boolean configuration;

        @Override
        public Integer call() {
            return Run.withSession("ipam show", ds, spec, (s, out) -> {
                if (ip != null) return showIp(new ClusterIpam(s.reader(), InstantSource.system()), parse(ip), out);
                if (configuration) return showConfiguration(s.reader().config(), out);
                if (borrowed) return showBorrowed(s.reader(), out);
                return showUsage(s.reader(), blocks, out);
            });
        }
    }

    static IpAddress parse(String ip) {
        try {
            return IpAddress.parse(ip);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--ip: \"" + ip + "\" is not an IP address");
        }
    }

    static int showIp(ClusterIpam ipam, IpAddress ip, PrintWriter out) throws Exception {
        Optional<ClusterIpam.IpInfo> info = ipam.allocation(ip);
        if (info.isEmpty() || info.get().cooling()) {
            out.printf("%s is not assigned%n", ip);
            return 0;
        }
        out.printf("IP %s is in use%n", ip);
        out.printf("Handle ID: %s%n", info.get().handleId() == null ? "<none>" : info.get().handleId());
        if (info.get().attributes().isEmpty()) {
            out.println("No Active Owner attributes defined");
        } else {
            out.println("Active Owner Attributes:");
            new TreeMap<>(info.get().attributes()).forEach((k, v) -> out.printf("  %s: %s%n", k, v));
        }
        out.printf("Block: %s (affinity %s), sequence number %d%n", info.get().block(), info.get().blockAffinity().orElse("<none>"),
                info.get().sequenceNumber());
        return 0;
    }

    private static String pct(int n, long total) {
        return String.format("%d (%.0f%%)", n, total == 0 ? 0.0 : 100.0 * n / total);
    }

    static int showUsage(IpamReader reader, boolean withBlocks, PrintWriter out) throws Exception {
        Table t = new Table(List.of("GROUPING", "CIDR", "IPS TOTAL", "IPS IN USE", "IPS FREE", "IPS COOLING"), false, false, true, true, true, true);
        List<Versioned<AllocationBlock>> blocks = new ArrayList<>(reader.blocks(null));
        blocks.sort((a, b) -> a.value().prefix().compareTo(b.value().prefix()));
        List<IpPool> pools = new ArrayList<>(reader.pools());
        pools.sort((a, b) -> a.cidr().compareTo(b.cidr()));
        for (IpPool p : pools) {
            long total = p.cidr().size();
            int used = 0;
            int cooling = 0;
            List<Object[]> rows = new ArrayList<>();
            for (Versioned<AllocationBlock> vb : blocks) {
                AllocationBlock b = vb.value();
                if (!p.cidr().contains(b.prefix())) continue;
                int c = b.coolingCount();
                int u = b.allocatedCount() - c;
                used += u;
                cooling += c;
                rows.add(new Object[] {"Block", b.cidr(), b.capacity(), pct(u, b.capacity()), pct(b.freeCount(), b.capacity()), pct(c, b.capacity())});
            }
            long free = total - used - cooling;
            t.row("IP Pool", p.spec().cidr(), total, pct(used, total), String.format("%d (%.0f%%)", free, 100.0 * free / total), pct(cooling, total));
            if (withBlocks) rows.forEach(t::row);
        }
        t.boxed(out);
        return 0;
    }

    static int showBorrowed(IpamReader reader, PrintWriter out) throws Exception {
        Table t = new Table(List.of("IP", "BORROWING-NODE", "BLOCK", "BLOCK OWNER", "TYPE", "ALLOCATED-TO"));
        for (Versioned<AllocationBlock> vb : reader.blocks(null)) {
            AllocationBlock b = vb.value();
            String owner = b.host().orElse("");
            for (int o = 0; o < b.capacity(); o++) {
                Optional<AllocationBlock.Attribute> a = b.attributeOf(o);
                if (a.isEmpty() || a.get().cooling()) continue;
                String node = a.get().secondary().get("node");
                if (node == null || node.equals(owner)) continue;
                Map<String, String> s = a.get().secondary();
                boolean pod = s.containsKey("pod");
                t.row(b.ipOf(o), node, b.cidr(), owner, pod ? "pod" : s.getOrDefault("type", ""), pod ? s.getOrDefault("namespace", "") + "/" + s.get("pod") : "");
            }
        }
        t.boxed(out);
        return 0;
    }

    static int showConfiguration(IpamConfiguration c, PrintWriter out) {
        new Table(List.of("PROPERTY", "VALUE")).row("StrictAffinity", c.strictAffinity()).row("AutoAllocateBlocks", c.autoAllocateBlocks())
                .row("MaxBlocksPerHost", c.maxBlocksPerHost()).row("IPCooldownSeconds", c.ipCooldownSeconds()).boxed(out);
        return 0;
    }

    @Command(name = "check", description = "Check blocks, handles, affinities, nodes and workload endpoints for leaks and inconsistencies.")
    static final class Check implements Callable<Integer> {
        @Mixin DatastoreOptions ds;
        @Spec CommandLine.Model.CommandSpec spec;
        @Option(names = {"-o", "--output"}, description = "Write a machine-readable report here (for `ipam release --from-report`).")
        Path report;
        @Option(names = "--show-problem-ips", description = "Print every leaked or inconsistent address.")
        boolean showProblems;

        @Override
        public Integer call() {
            return Run.withSession("ipam check", ds, spec, (s, out) -> {
                IpamCheck.Report r = IpamCheck.run(s.reader(), showProblems ? out : quiet(out));
                if (report != null) {
                    Files.writeString(report, r.toJson());
                    out.printf("Report written to %s%n", report);
                }
                return 0;
            });
        }

        /** The summary lines only (calicoctl prints per-IP lines with --show-problem-ips). */
        private static PrintWriter quiet(PrintWriter out) {
            return new PrintWriter(new java.io.Writer() {
                private final StringBuilder line = new StringBuilder();

                @Override
                public void write(char[] c, int off, int len) {
                    for (int i = off; i < off + len; i++) {
                        if (c[i] == '\n') {
                            String l = line.toString();
                            if (!l.startsWith("  ") && !l.startsWith(" IPAM block")) out.println(l);
                            line.setLength(0);
                        } else {
                            line.append(c[i]);
                        }
                    }
                }

                @Override
                public void flush() { out.flush(); }

                @Override
                public void close() { }
            });
        }
    }

    @Command(name = "release", description = "Release an address (--ip) or everything a check report found leaked (--from-report).")
    static final class Release implements Callable<Integer> {
        @Mixin DatastoreOptions ds;
        @Spec CommandLine.Model.CommandSpec spec;
        @Option(names = "--ip", description = "The address to release.")
        String ip;
        @Option(names = "--from-report", description = "A report from `podnet ipam check -o`; entries that changed since are skipped.")
        Path report;

        @Override
        public Integer call() {
            if ((ip == null) == (report == null)) {
                spec.commandLine().getErr().println("podnet ipam release: give exactly one of --ip or --from-report");
                return 2;
            }
            return Run.withSession("ipam release", ds, spec, (s, out) -> {
                ClusterIpam ipam = new ClusterIpam(s.reader(), InstantSource.system());
                if (ip != null) {
                    IpAddress a = parse(ip);
                    if (ipam.releaseIps(List.of(ClusterIpam.IpRelease.of(a))).isEmpty()) {
                        out.printf("IP address %s is not assigned%n", a);
                        return 1;
                    }
                    out.printf("Successfully released IP address %s%n", a);
                    return 0;
                }
                IpamCheck.Report r = IpamCheck.Report.parse(Files.readString(report));
                List<ClusterIpam.IpRelease> rel = new ArrayList<>();
                for (IpamCheck.Allocation a : r.leakedIps()) {
                    rel.add(new ClusterIpam.IpRelease(IpAddress.parse(a.ip()), Optional.of(a.sequenceNumber()), Optional.ofNullable(a.handle())));
                }
                List<IpAddress> freed = ipam.releaseIps(rel);
                int handles = 0;
                IpamMaintenance fix = new IpamMaintenance(s.reader());
                for (IpamCheck.HandleInfo h : r.leakedHandles()) {
                    var cur = s.reader().handle(h.id());
                    if (cur.isPresent() && cur.get().modRevision() == h.revision() && fix.deleteHandle(cur.get())) handles++;
                }
                out.printf("Released %d of %d leaked IPs and %d of %d leaked handles (the others changed since the report)%n",
                        freed.size(), rel.size(), handles, r.leakedHandles().size());
                return 0;
            });
        }
    }

    @Command(name = "configure", description = "Set the IPAM configuration (strict affinity, blocks per host).")
    static final class Configure implements Callable<Integer> {
        @Mixin DatastoreOptions ds;
        @Spec CommandLine.Model.CommandSpec spec;
        @Option(names = "--strictaffinity", arity = "1", description = "true: nodes never borrow addresses from other nodes' blocks.")
        Boolean strict;
        @Option(names = "--max-blocks-per-host", description = "Blocks one node may claim (0 = no limit).")
        Integer maxBlocks;

        @Override
        public Integer call() {
            if (strict == null && maxBlocks == null) {
                spec.commandLine().getErr().println("podnet ipam configure: give --strictaffinity=true|false and/or --max-blocks-per-host N");
                return 2;
            }
            return Run.withSession("ipam configure", ds, spec, (s, out) -> {
                IpamConfiguration cur = s.resources().get(IpamConfiguration.KIND, IpamConfiguration.NAME).orElse(
                        new IpamConfiguration(ObjectMeta.named(IpamConfiguration.NAME), IpamConfiguration.DEFAULT.spec())).validated();
                IpamConfiguration next = cur.with(strict != null ? strict : cur.strictAffinity(), maxBlocks != null ? maxBlocks : cur.maxBlocksPerHost());
                s.resources().apply(next);
                if (strict != null) out.printf("Successfully set StrictAffinity to: %s%n", strict);
                if (maxBlocks != null) out.printf("Successfully set MaxBlocksPerHost to: %d%n", maxBlocks);
                return 0;
            });
        }
    }
}
