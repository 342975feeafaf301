package io.podnet.cli.calico;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.calico.Kinds;
import io.podnet.calico.ResourceStore;
import io.podnet.calico.WorkloadEndpoint;
import io.podnet.calico.ObjectMeta;
import io.podnet.cli.Main;
import io.podnet.datastore.etcd.EtcdConfig;
import io.podnet.datastore.etcd.EtcdDatastore;
import io.podnet.ipam.cluster.ClusterIpam;
import io.podnet.ipam.cluster.IpamKeys;
import io.podnet.ipam.cluster.IpamReader;
import io.podnet.net.IpAddress;
import io.podnet.testkit.EtcdServer;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The calicoctl-style commands against a throwaway etcd: v3 YAML round trips, ipam show/check/release/configure, node delete. */
class CalicoCommandsIT {
    static EtcdServer etcd;
    static String prefix;
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {}

    @BeforeAll
    static void start() {
        Assumptions.assumeTrue(Sh.has("etcd"), "needs etcd-server (installed by run-tests)");
        etcd = EtcdServer.launch();
    }

    @AfterAll
    static void stop() {
        if (etcd != null) etcd.close();
    }

    Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--etcd-endpoints=" + etcd.clientUrl();
        all[args.length + 1] = "--calico-prefix=" + prefix;
        return new Run(cl.execute(all), out.toString(), err.toString());
    }

    Path file(String name, String text) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    static final String POOLS = """
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata:
              name: pool-a
            spec:
              cidr: 10.70.0.0/24
              blockSize: 28
              ipipMode: Always
              natOutgoing: true
              nodeSelector: zone == 'a'
            ---
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata:
              name: pool-b
            spec:
              cidr: fd00:70::/120
              vxlanMode: CrossSubnet
            """;

    @Test
    void applyGetReplaceDeleteRoundTrips() throws Exception {
        prefix = "/" + RunId.prefix() + "-rt";
        Run apply = run("apply", "-f", file("pools.yaml", POOLS).toString());
        assertThat(apply.code()).as(apply.err()).isZero();
        assertThat(apply.out()).isEqualTo("Successfully applied 2 'IPPool' resource(s)\n");
        Run get = run("get", "ippools");
        assertThat(get.out()).isEqualTo("""
                NAME     CIDR            SELECTOR
                pool-a   10.70.0.0/24    zone == 'a'
                pool-b   fd00:70::/120   all()
                """);
        assertThat(run("get", "ippool", "-o", "wide").out()).contains("NAME     CIDR            NAT     IPIPMODE   VXLANMODE     DISABLED   DISABLEBGPEXPORT   SELECTOR")
                .contains("pool-a   10.70.0.0/24    true    Always     Never         false      false              zone == 'a'");
        Run yaml = run("get", "ippool", "pool-a", "-o", "yaml");
        assertThat(yaml.out()).startsWith("kind: IPPool\napiVersion: projectcalico.org/v3\nmetadata:\n  name: pool-a\n")
                .contains("resourceVersion:").contains("  blockSize: 28\n").contains("  nodeSelector: zone == 'a'\n");
        // what get -o yaml prints can be applied back unchanged (calicoctl's round trip)
        Run back = run("apply", "-f", file("back.yaml", yaml.out()).toString());
        assertThat(back.code()).as(back.err()).isZero();
        Run json = run("get", "ippools", "-o", "json");
        assertThat(json.out()).contains("\"kind\" : \"IPPoolList\"").contains("\"cidr\" : \"fd00:70::/120\"");
        // create refuses existing; replace works; errors name resource and field, nothing written
        assertThat(run("create", "-f", file("p.yaml", POOLS).toString()).err()).contains("IPPool \"pool-a\": already exists");
        String bad = POOLS.replace("blockSize: 28", "blockSize: 18");
        Run refused = run("replace", "-f", file("bad.yaml", bad).toString());
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("IPPool \"pool-a\": spec.blockSize: 18 is out of range 20-32 for an IPv4 pool");
        String overlap = "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: pool-c}\nspec: {cidr: 10.70.0.128/25}\n";
        Run ov = run("apply", "-f", file("ov.yaml", overlap).toString());
        assertThat(ov.code()).isEqualTo(2);
        assertThat(ov.err()).contains("IPPool \"pool-c\": spec.cidr: 10.70.0.128/25 overlaps IPPool \"pool-a\" (10.70.0.0/24)");
        Run replace = run("replace", "-f", file("r.yaml", POOLS.replace("natOutgoing: true", "natOutgoing: false")).toString());
        assertThat(replace.out()).isEqualTo("Successfully replaced 2 'IPPool' resource(s)\n");
        assertThat(run("get", "ippool", "pool-a", "-o", "json").out()).contains("\"natOutgoing\" : false");
        // nodes and the IPAM configuration
        Run nodes = run("apply", "-f", file("n.yaml", "apiVersion: projectcalico.org/v3\nkind: Node\nmetadata: {name: n1, labels: {zone: a}}\n"
                + "spec: {bgp: {ipv4Address: 10.0.0.1/24}}\n").toString());
        assertThat(nodes.code()).as(nodes.err()).isZero();
        assertThat(run("get", "nodes", "-o", "wide").out()).contains("n1     (64512)   10.0.0.1/24");
        assertThat(run("get", "ipamconfig", "default").out()).contains("default   false            0");
        assertThat(run("ipam", "configure", "--strictaffinity=true", "--max-blocks-per-host", "4").out())
                .contains("Successfully set StrictAffinity to: true").contains("Successfully set MaxBlocksPerHost to: 4");
        assertThat(run("get", "ipamconfig", "-o", "wide").out()).contains("default   true             true                 4");
        // delete -f, then the pools are gone
        Run del = run("delete", "-f", file("d.yaml", POOLS).toString());
        assertThat(del.out()).isEqualTo("Successfully deleted 2 'IPPool' resource(s)\n");
        assertThat(run("get", "ippools").out()).isEqualTo("NAME   CIDR   SELECTOR\n");
        assertThat(run("delete", "ippool", "pool-a").err()).contains("IPPool \"pool-a\": does not exist");
        Run unknown = run("get", "bgppeers");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("resource type \"bgppeers\" is not one of");
    }

    @Test
    void ipamShowCheckReleaseAndNodeDeleteOnASeededStore() throws Exception {
        prefix = "/" + RunId.prefix() + "-seed";
        assertThat(run("apply", "-f", file("s.yaml", """
                apiVersion: projectcalico.org/v3
                kind: IPPool
                metadata: {name: pool-a}
                spec: {cidr: 10.80.0.0/24, blockSize: 28}
                ---
                apiVersion: projectcalico.org/v3
                kind: Node
                metadata: {name: n1}
                ---
                apiVersion: projectcalico.org/v3
                kind: Node
                metadata: {name: n2}
                """).toString()).code()).isZero();
        try (var ds = EtcdDatastore.connect(EtcdConfig.of(List.of(etcd.clientUrl())))) {
            var res = new ResourceStore(ds, prefix, Kinds.IPAM, InstantSource.system());
            var ipam = new ClusterIpam(new IpamReader(ds, new IpamKeys(prefix), res), InstantSource.system());
            IpAddress used = null;
            for (int i = 0; i < 5; i++) {
                IpAddress ip = ipam.autoAssign(new ClusterIpam.AssignRequest("k8s-pod-network.c" + i, "n1",
                        Map.of("node", "n1", "pod", "p" + i, "namespace", "default"), 1, 0, List.of(), List.of())).getFirst().ip();
                if (i < 3) {
                    res.create(new WorkloadEndpoint(new ObjectMeta("n1-k8s-p" + i + "-eth0", "default", null, null, null, Map.of(), Map.of()),
                            new WorkloadEndpoint.Spec("k8s", "", "n1", "c" + i, "p" + i, "eth0", List.of(ip + "/32"), null, null)));
                }
                if (i == 0) used = ip;
            }
            ipam.autoAssign(new ClusterIpam.AssignRequest("k8s-pod-network.n2c", "n2", Map.of("node", "n2"), 1, 0, List.of(), List.of()));

            Run show = run("ipam", "show", "--show-blocks");
            assertThat(show.code()).as(show.err()).isZero();
            assertThat(show.out()).contains("| GROUPING | CIDR           | IPS TOTAL | IPS IN USE | IPS FREE  | IPS COOLING |")
                    .contains("| IP Pool  | 10.80.0.0/24   |       256 |     6 (2%) | 250 (98%) |      0 (0%) |")
                    .contains("| Block    | ").contains("|        16 |    5 (31%) |  11 (69%) |      0 (0%) |");
            Run who = run("ipam", "show", "--ip", used.toString());
            assertThat(who.out()).contains("IP " + used + " is in use\nHandle ID: k8s-pod-network.c0\nActive Owner Attributes:\n  namespace: default\n  node: n1\n  pod: p0\n");
            assertThat(run("ipam", "show", "--ip", "10.80.0.255").out()).isEqualTo("10.80.0.255 is not assigned\n");
            assertThat(run("ipam", "show", "--show-configuration").out()).contains("| StrictAffinity     | false |");

            Path report = tmp.resolve("report.json");
            Run check = run("ipam", "check", "-o", report.toString(), "--show-problem-ips");
            assertThat(check.code()).as(check.err()).isZero();
            assertThat(check.out()).contains("Found 2 IPAM blocks.").contains("IPAM blocks record 6 allocations.")
                    .contains("Found 3 IPs that are allocated in IPAM but not actually in use.")
                    .contains("Check complete; found 3 problems.");
            assertThat(Files.readString(report)).contains("\"leakedIPs\"").contains("k8s-pod-network.c3");
            Run rel = run("ipam", "release", "--from-report", report.toString());
            assertThat(rel.out()).contains("Released 3 of 3 leaked IPs");
            assertThat(run("ipam", "release", "--from-report", report.toString()).out()).contains("Released 0 of 3 leaked IPs");
            assertThat(run("ipam", "check").out()).contains("Check complete; found 0 problems.");
            assertThat(run("ipam", "release", "--ip", used.toString()).out()).isEqualTo("Successfully released IP address " + used + "\n");
            assertThat(run("ipam", "release", "--ip", used.toString()).code()).isEqualTo(1);

            Run nd = run("node", "delete", "n1");
            assertThat(nd.code()).as(nd.err()).isZero();
            assertThat(nd.out()).contains("Successfully deleted node n1: released 2 addresses, 1 blocks");
            assertThat(run("get", "nodes").out()).isEqualTo("NAME\nn2\n");
            assertThat(run("node", "delete", "n1").err()).contains("Node \"n1\": does not exist");
        }
    }
}
