package io.podnet.cli.calico;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.calico.IpPool;
import io.podnet.calico.IpamConfiguration;
import io.podnet.calico.Kind;
import io.podnet.calico.Kinds;
import io.podnet.calico.Node;
import io.podnet.calico.Resource;
import io.podnet.calico.ResourceReader;
import io.podnet.calico.ResourceStateException;
import io.podnet.calico.ResourceStore;
import io.podnet.calico.WorkloadEndpoint;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** calicoctl's resource verbs on v3 resources in YAML or JSON files (several documents per file). */
public final class ResourceCommands {
    private ResourceCommands() {}

    /** What a verb does to one resource. */
    private enum Verb {
        APPLY("applied"), CREATE("created"), REPLACE("replaced"), DELETE("deleted");

        final String past;

        Verb(String past) { this.past = past; }

        Resource on(ResourceStore s, Resource r) throws Exception {
            return switch (this) {
                case APPLY -> s.apply(r);
                case CREATE -> s.create(r);
                case REPLACE -> s.update(r);
                case DELETE -> s.delete(kind(r), r.metadata().namespace(), r.name(), null).orElseThrow(() ->
                        new ResourceStateException(ResourceStateException.Reason.NOT_FOUND, r.kind().name(), r.name(), ""));
            };
        }

        @SuppressWarnings("unchecked")
        private static <R extends Resource> Kind<R> kind(Resource r) { return (Kind<R>) r.kind(); }
    }

    /**
     * Reads and validates every document first (a bad one writes nothing), then writes them in order; a write that
     * fails stops, as calicoctl does, with "Partial success".
     */
    static int runFile(Verb verb, Path file, DatastoreOptions ds, CommandLine.Model.CommandSpec spec) {
        String name = verb.name().toLowerCase(java.util.Locale.ROOT);
        return Run.withSession(name, ds, spec, (s, out) -> {
            String text = file.toString().equals("-") ? new String(System.in.readAllBytes()) : Files.readString(file);
            List<Resource> rs = new ResourceReader(s.resources().codec()).read(text, file.toString());
            if (rs.isEmpty()) throw new IllegalArgumentException(file + ": no resources");
            if (verb != Verb.DELETE) {
                for (Resource r : rs) s.resources().preflight(r);
            }
            List<Resource> done = new ArrayList<>();
            for (Resource r : rs) {
                try {
                    done.add(verb.on(s.resources(), r));
                } catch (Exception e) {
                    if (done.isEmpty()) throw e;
                    out.printf("Partial success: %s the first %d out of %d resources:%n", verb.past, done.size(), rs.size());
                    spec.commandLine().getErr().println("Hit error: " + e.getMessage());
                    return e instanceof IllegalArgumentException ? 2 : 1;
                }
            }
            List<String> kinds = rs.stream().map(r -> r.kind().name()).distinct().toList();
            out.printf("Successfully %s %d %sresource(s)%n", verb.past, done.size(), kinds.size() == 1 ? "'" + kinds.getFirst() + "' " : "");
            return 0;
        });
    }

    /** The {@code -f FILE} verbs: one body, the verb chosen by the subclass. */
    abstract static class FileCommand implements Callable<Integer> {
        @Mixin DatastoreOptions ds;
        @Spec CommandLine.Model.CommandSpec spec;
        @Option(names = {"-f", "--filename"}, required = true, description = "File with v3 resources ('-' for stdin).")
        Path file;

        abstract Verb verb();

        @Override
        public Integer call() { return runFile(verb(), file, ds, spec); }
    }

    @Command(name = "apply", description = "Create or update the resources in a YAML/JSON file (calicoctl apply).")
    public static final class Apply extends FileCommand {
        @Override
        Verb verb() { return Verb.APPLY; }
    }

    @Command(name = "create", description = "Create the resources in a file; fails if one exists (calicoctl create).")
    public static final class Create extends FileCommand {
        @Override
        Verb verb() { return Verb.CREATE; }
    }

    @Command(name = "replace", description = "Replace existing resources with those in a file; a resourceVersion in the file must still match (calicoctl replace).")
    public static final class Replace extends FileCommand {
        @Override
        Verb verb() { return Verb.REPLACE; }
    }

    @Command(name = "delete", description = "Delete the resources named in a file, or KIND NAME (calicoctl delete).")
    public static final class Delete implements Callable<Integer> {
        @Mixin DatastoreOptions ds;
        @Spec CommandLine.Model.CommandSpec spec;
        @Option(names = {"-f", "--filename"}, description = "File with v3 resources ('-' for stdin).")
        Path file;
        @Parameters(arity = "0..2", description = "KIND NAME, e.g. ippool pool-a (instead of -f).")
        List<String> kindAndName;
        @Option(names = {"-n", "--namespace"}, description = "Namespace of a namespaced kind (KIND NAME form).")
        String namespace;

        @Override
        public Integer call() {
            if (file != null) return runFile(Verb.DELETE, file, ds, spec);
            if (kindAndName == null || kindAndName.size() != 2) {
                spec.commandLine().getErr().println("podnet delete: give -f FILE or KIND NAME");
                return 2;
            }
            return Run.withSession("delete", ds, spec, (s, out) -> {
                Kind<?> k = kind(kindAndName.get(0));
                if (s.resources().delete(k, namespace, kindAndName.get(1), null).isEmpty()) {
                    throw new ResourceStateException(ResourceStateException.Reason.NOT_FOUND, k.name(), kindAndName.get(1), "");
                }
                out.printf("Successfully deleted 1 '%s' resource(s)%n", k.name());
                return 0;
            });
        }
    }

    static Kind<?> kind(String cliName) {
        return Kinds.IPAM.byCliName(cliName).orElseThrow(() -> new IllegalArgumentException(
                "resource type \"" + cliName + "\" is not one of ippools, ipamconfigurations (ipamconfig), nodes, workloadendpoints"));
    }

    @Command(name = "get", description = "Show resources: ippools, nodes, ipamconfig, workloadendpoints [NAME] (calicoctl get).")
    public static final class Get implements Callable<Integer> {
        @Mixin DatastoreOptions ds;
        @Spec CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0", description = "Resource type: ippool(s), node(s), ipamconfig, workloadendpoint(s).")
        String type;
        @Parameters(index = "1", arity = "0..1", description = "One resource's name.")
        String name;
        @Option(names = {"-o", "--output"}, defaultValue = "ps", description = "ps (default), wide, yaml or json.")
        String output;
        @Option(names = {"-n", "--namespace"}, description = "Namespace (workloadendpoints; default: all).")
        String namespace;

        @Override
        public Integer call() {
            return Run.withSession("get", ds, spec, (s, out) -> {
                if (!List.of("ps", "wide", "yaml", "json").contains(output)) {
                    throw new IllegalArgumentException("-o: \"" + output + "\" is not one of ps, wide, yaml, json");
                }
                Kind<?> k = kind(type);
                return print(s.resources(), k, out);
            });
        }

        private <R extends Resource> int print(ResourceStore store, Kind<R> k, PrintWriter out) throws Exception {
            List<R> items;
            long rev;
            if (name != null) {
                Optional<R> one = k == IpamConfiguration.KIND && name.equals(IpamConfiguration.NAME)
                        ? store.get(k, name).or(() -> Optional.of(k.cast(IpamConfiguration.DEFAULT))) : store.get(k, namespace, name);
                if (one.isEmpty()) throw new ResourceStateException(ResourceStateException.Reason.NOT_FOUND, k.name(), name, "");
                items = List.of(one.get());
                rev = 0;
            } else {
                var l = store.list(k, namespace);
                items = l.items();
                rev = l.revision();
            }
            switch (output) {
                case "yaml", "json" -> {
                    JsonNode n = name != null ? store.codec().tree(items.getFirst()) : store.codec().list(k, items, rev);
                    out.print(output.equals("yaml") ? store.codec().toYaml(n) : store.codec().toJson(n) + "\n");
                }
                default -> table(k, items, output.equals("wide")).plain(out);
            }
            return 0;
        }
    }

    /** calicoctl's column sets per kind. */
    static Table table(Kind<?> k, List<? extends Resource> items, boolean wide) {
        Table t;
        if (k == IpPool.KIND) {
            t = wide ? new Table(List.of("NAME", "CIDR", "NAT", "IPIPMODE", "VXLANMODE", "DISABLED", "DISABLEBGPEXPORT", "SELECTOR"))
                    : new Table(List.of("NAME", "CIDR", "SELECTOR"));
            for (Resource r : items) {
                IpPool.Spec p = ((IpPool) r).spec();
                if (wide) t.row(r.name(), p.cidr(), p.natOutgoing(), p.ipipMode().text(), p.vxlanMode().text(), p.disabled(), p.disableBGPExport(), p.nodeSelector());
                else t.row(r.name(), p.cidr(), p.nodeSelector());
            }
        } else if (k == Node.KIND) {
            t = wide ? new Table(List.of("NAME", "ASN", "IPV4", "IPV6", "LABELS")) : new Table(List.of("NAME"));
            for (Resource r : items) {
                Node n = (Node) r;
                var b = n.spec() == null ? null : n.spec().bgp();
                if (wide) t.row(n.name(), b == null || b.asNumber() == null ? "(64512)" : b.asNumber(), b == null || b.ipv4Address() == null ? "" : b.ipv4Address(),
                        b == null || b.ipv6Address() == null ? "" : b.ipv6Address(), labels(n.labels()));
                else t.row(n.name());
            }
        } else if (k == IpamConfiguration.KIND) {
            t = wide ? new Table(List.of("NAME", "STRICTAFFINITY", "AUTOALLOCATEBLOCKS", "MAXBLOCKSPERHOST", "IPCOOLDOWNSECONDS"))
                    : new Table(List.of("NAME", "STRICTAFFINITY", "MAXBLOCKSPERHOST"));
            for (Resource r : items) {
                IpamConfiguration c = ((IpamConfiguration) r).validated();
                if (wide) t.row(c.name(), c.strictAffinity(), c.autoAllocateBlocks(), c.maxBlocksPerHost(), c.ipCooldownSeconds());
                else t.row(c.name(), c.strictAffinity(), c.maxBlocksPerHost());
            }
        } else {
            t = wide ? new Table(List.of("NAMESPACE", "WORKLOAD", "NODE", "NETWORKS", "INTERFACE", "CONTAINER"))
                    : new Table(List.of("NAMESPACE", "WORKLOAD", "NODE", "NETWORKS", "INTERFACE"));
            for (Resource r : items) {
                WorkloadEndpoint.Spec w = ((WorkloadEndpoint) r).spec();
                String wl = w.pod() != null ? w.pod() : w.containerId();
                if (wide) t.row(r.metadata().namespace(), wl, w.node(), String.join(",", w.ipNetworks()), nz(w.interfaceName()), nz(w.containerId()));
                else t.row(r.metadata().namespace(), wl, w.node(), String.join(",", w.ipNetworks()), nz(w.interfaceName()));
            }
        }
        return t;
    }

    private static String nz(String s) { return s == null ? "" : s; }

    private static String labels(java.util.Map<String, String> l) {
        return String.join(",", l.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
    }
}
