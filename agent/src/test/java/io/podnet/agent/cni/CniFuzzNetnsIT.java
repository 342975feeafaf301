package io.podnet.agent.cni;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.testkit.Netns;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Abuse of the CNI front door through the real path (C shim → agent in a throwaway namespace): arbitrary and
 * mutated stdin (oversized, deeply nested, huge strings, invalid UTF-8, NUL bytes, every field with the wrong
 * type) and environments (path tricks in container ids, ifnames, netns paths and network names). Every answer is
 * success or exactly one CNI error JSON with a spec code; an ADD that succeeds is undone by a DEL; afterwards
 * the agent is alive and serving, and no veth, reservation, nft element or state file is left.
 * 400 tries, about 30-60 s on a loaded 2-core machine.
 */
class CniFuzzNetnsIT {
    static final Set<Integer> CODES = Set.of(1, 2, 3, 4, 5, 6, 7, 8, 11, 50, 51, 100, 101, 102, 103, 104, 999);
    static CniTestBed bed;
    static Netns pod;
    static String network;
    static String bridge;
    static List<String> stateBefore;
    static final AtomicInteger seq = new AtomicInteger();
    static final List<String> undoFailures = new ArrayList<>();

    @BeforeContainer
    static void start() throws Exception {
        if (!Netns.privileged()) return;
        bed = new CniTestBed();
        bed.startAgent();
        pod = bed.pod();
        network = RunId.prefix() + "fz";
        bridge = RunId.name("fb");
        // warm-up: the bridge, the nft table and the network's state exist before the baseline is taken
        CniTestBed.Run add = bed.podnet("ADD", "warm", pod, "eth0", base().toString());
        assertThat(add.exit()).as(add.toString()).isZero();
        assertThat(bed.podnet("DEL", "warm", pod, "eth0", base().toString()).exit()).isZero();
        stateBefore = files();
    }

    @AfterContainer
    static void leavesNothing() throws Exception {
        if (bed == null) return;
        try {
            assertThat(undoFailures).as("DEL of a fuzzed ADD that succeeded").isEmpty();
            CniTestBed.Run alive = bed.podnet("ADD", "final", pod, "eth0", base().toString());
            assertThat(alive.exit()).as("the agent still serves: " + alive + "\n" + bed.agentLog()).isZero();
            assertThat(bed.podnet("DEL", "final", pod, "eth0", base().toString()).exit()).isZero();
            assertThat(bed.hostVeths()).as("veths left in the host namespace").isEmpty();
            assertThat(Sh.ipJson(pod.name(), "link", "show").findValuesAsText("ifname")).as("links left in the pod").containsExactly("lo");
            assertThat(reservations()).as("reservations left").isEmpty();
            // per-pod nft state: no pod address of the subnet is left (only network-level rules name the subnet)
            assertThat(java.util.regex.Pattern.compile("10\\.82\\.0\\.[0-9/]+").matcher(nft()).results().map(m -> m.group()).distinct())
                    .as("addresses in the nft ruleset").isSubsetOf("10.82.0.0/24");
            bed.awaitNetworkStateGone(network); // the network's chain and FORWARD accepts go with its last endpoint
            assertThat(files()).as("per-pod files in the state and IPAM directories").isEqualTo(stateBefore);
        } finally {
            bed.close();
        }
    }

    static ObjectNode base() {
        ObjectNode c = bed.bridgeConf("1.0.0", network, bridge, "10.82.0.0/24");
        c.put("ipMasq", true);
        return c;
    }

    static String nft() {
        return Sh.run("ip", "netns", "exec", bed.host.name(), "nft", "list", "ruleset").out();
    }

    static List<String> files() throws IOException {
        List<String> out = new ArrayList<>();
        for (Path root : List.of(bed.stateDir, bed.ipamDir)) {
            if (!Files.exists(root)) continue;
            try (Stream<Path> s = Files.walk(root)) {
                s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).filter(n -> !n.endsWith(".lock"))
                        // a network's own bookkeeping (created by any ADD to it, as host-local's) is not per-pod state
                        .filter(n -> !n.matches(".*/(lock|\\.podnet-generation|last_reserved_ip\\.\\d+)")).sorted().forEach(out::add);
            }
        }
        return out;
    }

    static List<String> reservations() throws IOException {
        List<String> out = new ArrayList<>();
        if (!Files.exists(bed.ipamDir)) return out;
        try (Stream<Path> s = Files.walk(bed.ipamDir)) {
            s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9a-f.:]+") && (n.contains(".") || n.contains(":")))
                    .forEach(out::add);
        }
        return out;
    }

    // ---- generators ----

    static final List<String> FIELDS = List.of("cniVersion", "name", "type", "bridge", "isGateway", "isDefaultGateway", "ipMasq", "mtu",
            "hairpinMode", "ipam", "ipam.type", "ipam.ranges", "ipam.routes", "ipam.fsync", "ipam.resolvConf", "runtimeConfig",
            "runtimeConfig.ips", "runtimeConfig.mac", "runtimeConfig.portMappings", "runtimeConfig.ipRanges", "args", "args.cni",
            "args.cni.ips", "prevResult", "prevResult.ips", "dns", "cni.dev/valid-attachments", "agentSocket", "agentTimeout");
    static final List<String> WRONG = List.of("123", "-1", "1e400", "true", "null", "[]", "{}", "\"\"", "\"x\"", "\"\\u0000\"",
            "[[[[[]]]]]", "{\"a\":{\"b\":[1,{}]}}", "\"../../../../etc\"", "\"" + "z".repeat(5000) + "\"");

    @Provide
    Arbitrary<String> stdins() {
        Arbitrary<String> wrongType = Combinators.combine(Arbitraries.of(FIELDS), Arbitraries.of(WRONG)).as((f, v) -> {
            ObjectNode c = base();
            String[] path = f.split("\\.(?=[a-z])");
            ObjectNode at = c;
            for (int i = 0; i < path.length - 1; i++) at = at.has(path[i]) && at.get(path[i]).isObject() ? (ObjectNode) at.get(path[i]) : at.putObject(path[i]);
            try {
                at.set(path[path.length - 1], CniTestBed.JSON.readTree(v));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return c.toString();
        });
        Arbitrary<String> names = Arbitraries.of("../x", "a/b", "..", ".", "", "x".repeat(300), "n\u0000x", "é", "-n", " n").map(n -> base().put("name", n).toString());
        Arbitrary<String> bytes = Arbitraries.strings().all().ofMaxLength(300);
        Arbitrary<String> nesting = Arbitraries.integers().between(1, 200_000).map(n -> "{\"cniVersion\":\"1.0.0\",\"x\":" + "[".repeat(n));
        Arbitrary<String> huge = Arbitraries.integers().between(1 << 16, 4 << 20).map(n -> base().put("pad", "p".repeat(n)).toString());
        Arbitrary<String> mutated = Arbitraries.integers().between(0, 400).list().ofMaxSize(5).map(cuts -> {
            char[] c = base().toString().toCharArray();
            String junk = "{}[]\",:0\\x\u0000\u00ff";
            for (int i : cuts) c[i % c.length] = junk.charAt(i % junk.length());
            return new String(c);
        });
        return Arbitraries.oneOf(wrongType, wrongType, names, bytes, nesting, huge, mutated);
    }

    @Provide
    Arbitrary<Map<String, String>> envs() {
        Arbitrary<String> cmd = Arbitraries.of("ADD", "ADD", "ADD", "DEL", "CHECK", "GC", "STATUS", "VERSION", "add", "", "FOO");
        Arbitrary<String> cid = Arbitraries.of("ok", "", "../../etc", "a/b", "..", "-x", "x".repeat(300), "a..", "é", "a b", "a\tb");
        Arbitrary<String> ifname = Arbitraries.of("eth0", "eth0", "", "../e", "eth0/..", "a".repeat(16), ".", "..", "e th", "e:1", "lo");
        Arbitrary<String> netns = Arbitraries.of("pod", "pod", "/nonexistent/netns", "", "/etc/passwd", "relative/netns", "/run/netns");
        Arbitrary<String> args = Arbitraries.of("", "IgnoreUnknown=1", "IP=10.82.0.77", "IP=999.1.1.1", "K8S_POD_NAME=x;=;;", "MAC=zz", "a=b=c");
        return Combinators.combine(cmd, cid, ifname, netns, args).as((c, id, ifn, ns, a) -> {
            Map<String, String> e = new LinkedHashMap<>();
            e.put("CNI_COMMAND", c);
            e.put("CNI_CONTAINERID", id.equals("ok") ? "fz" + seq.incrementAndGet() : id);
            e.put("CNI_IFNAME", ifn);
            e.put("CNI_NETNS", ns.equals("pod") ? pod.path().toString() : ns);
            e.put("CNI_ARGS", a);
            e.put("CNI_PATH", bed.bin + ":/usr/lib/cni");
            e.put("PODNET_AGENT_SOCKET", bed.socket.toString());
            return e;
        });
    }

    @Property(tries = 400)
    void everyAnswerIsSuccessOrOneSpecErrorAndSuccessesAreUndone(@ForAll("stdins") String stdin, @ForAll("envs") Map<String, String> env)
            throws Exception {
        if (bed == null) return; // not privileged: nothing to run against (reported by the other ITs' skips)
        CniTestBed.Run r = bed.exec(bed.shim, env, stdin);
        if (r.exit() != 0) {
            assertThat(r.exit()).as(r.toString()).isEqualTo(1);
            JsonNode n = single(r);
            assertThat(n.path("code").isInt()).as(r.toString()).isTrue();
            assertThat(CODES).as("spec code: " + r).contains(n.path("code").asInt());
            assertThat(n.path("msg").isTextual()).as(r.toString()).isTrue();
        } else if (!r.out().isEmpty()) {
            single(r);
        }
        if (r.exit() == 0 && env.get("CNI_COMMAND").equals("ADD")) {
            Map<String, String> del = new LinkedHashMap<>(env);
            del.put("CNI_COMMAND", "DEL");
            CniTestBed.Run d = bed.exec(bed.shim, del, stdin);
            if (d.exit() != 0) undoFailures.add(d + " for stdin " + stdin.substring(0, Math.min(300, stdin.length())));
        }
    }

    static JsonNode single(CniTestBed.Run r) throws IOException {
        try (JsonParser p = CniTestBed.JSON.createParser(r.out().getBytes(StandardCharsets.UTF_8))) {
            JsonNode n = CniTestBed.JSON.readTree(p);
            assertThat(n).as("a JSON document: " + r).isNotNull();
            assertThat(p.nextToken()).as("exactly one JSON document: " + r).isNull();
            return n;
        }
    }
}
