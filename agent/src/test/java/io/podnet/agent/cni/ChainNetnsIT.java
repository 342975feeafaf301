package io.podnet.agent.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.testkit.Netns;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import io.podnet.workload.bridge.Attachment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A conflist chain executed like libcni does (SPECS-NOTES 1.3): podnet → Debian's portmap → bandwidth → tuning,
 * each ADD getting the previous result as prevResult; CHECK in order and DEL in reverse with the final result.
 * Every plugin runs inside the throwaway host namespace (ip netns exec), so iptables/ifb/tc changes stay there.
 */
class ChainNetnsIT {
    static final Path REF = Path.of("/usr/lib/cni");

    @Test
    void podnetChainsWithPortmapBandwidthAndTuning() throws Exception {
        assumeTrue(Netns.privileged(), "needs root for network namespaces");
        assumeTrue(Files.isExecutable(REF.resolve("portmap")), "containernetworking-plugins not installed");
        try (CniTestBed bed = new CniTestBed()) {
            bed.startAgent();
            Netns pod = bed.pod();
            String cid = "ctr-chain";
            List<ObjectNode> plugins = chain(bed, RunId.name("b"));
            // ADD in order, prevResult passed along
            JsonNode result = null;
            for (ObjectNode p : plugins) {
                ObjectNode conf = invocation(p, result, true);
                var r = run(bed, p, "ADD", cid, pod, conf);
                assertThat(r.exit()).as(p.path("type").asText() + " ADD " + r).isZero();
                result = r.json();
            }
            String hostVeth = Attachment.hostVethName(cid, "eth0");
            assertThat(result.path("interfaces").toString()).contains(hostVeth);
            // effects
            String nat = Sh.check("ip", "netns", "exec", bed.host.name(), "iptables", "-t", "nat", "-S");
            assertThat(nat).as("portmap chains").contains("CNI-HOSTPORT-DNAT").contains("--dport 18080");
            assertThat(Sh.run("tc", "-n", bed.host.name(), "qdisc", "show", "dev", hostVeth).out()).as("bandwidth ingress").contains("tbf");
            assertThat(Sh.ipJson(bed.host.name(), "link", "show", "type", "ifb")).as("bandwidth egress ifb").isNotEmpty();
            assertThat(pod.exec("sysctl", "-n", "net.core.somaxconn").out().strip()).as("tuning sysctl").isEqualTo("512");
            // CHECK in order with the final result
            for (ObjectNode p : plugins) {
                var r = run(bed, p, "CHECK", cid, pod, invocation(p, result, true));
                if (p.path("type").asText().equals("portmap") && r.exit() != 0) {
                    // Debian's portmap 1.1.1 CHECK also looks for an IPv6 DNAT chain it never creates for a v4-only pod
                    assertThat(r.out()).as("portmap CHECK " + r).contains("could not check ipv6 dnat");
                    System.out.println("known reference-plugin limitation: " + r.out().strip());
                    continue;
                }
                assertThat(r.exit()).as(p.path("type").asText() + " CHECK " + r).isZero();
            }
            // DEL in reverse with the final result
            for (ObjectNode p : plugins.reversed()) {
                var r = run(bed, p, "DEL", cid, pod, invocation(p, result, true));
                assertThat(r.exit()).as(p.path("type").asText() + " DEL " + r).isZero();
            }
            assertThat(Sh.check("ip", "netns", "exec", bed.host.name(), "iptables", "-t", "nat", "-S")).doesNotContain("--dport 18080");
            assertThat(Sh.ipJson(bed.host.name(), "link", "show", "type", "ifb")).isEmpty();
            assertThat(bed.hostVeths()).doesNotContain(hostVeth);
            assertThat(bed.reservations("chain")).isEmpty();
            assertThat(Sh.run("ip", "-n", pod.name(), "link", "show", "eth0").ok()).isFalse();
        }
    }

    static List<ObjectNode> chain(CniTestBed bed, String bridge) {
        List<ObjectNode> l = new ArrayList<>();
        l.add(bed.bridgeConf("1.0.0", "chain", bridge, "10.79.0.0/24"));
        ObjectNode portmap = CniTestBed.JSON.createObjectNode().put("type", "portmap");
        portmap.putObject("capabilities").put("portMappings", true);
        l.add(portmap);
        l.add(CniTestBed.JSON.createObjectNode().put("type", "bandwidth").put("ingressRate", 8_000_000).put("ingressBurst", 800_000)
                .put("egressRate", 8_000_000).put("egressBurst", 800_000));
        ObjectNode tuning = CniTestBed.JSON.createObjectNode().put("type", "tuning");
        tuning.putObject("sysctl").put("net.core.somaxconn", "512");
        l.add(tuning);
        return l;
    }

    /** libcni's per-invocation config: name + cniVersion inserted, capabilities → runtimeConfig, prevResult. */
    static ObjectNode invocation(ObjectNode plugin, JsonNode prev, boolean withPrev) {
        ObjectNode c = plugin.deepCopy();
        c.put("cniVersion", "1.0.0").put("name", "chain");
        if (c.has("capabilities")) {
            c.remove("capabilities");
            c.putObject("runtimeConfig").putArray("portMappings").addObject()
                    .put("hostPort", 18080).put("containerPort", 80).put("protocol", "tcp");
        }
        if (withPrev && prev != null) c.set("prevResult", prev);
        return c;
    }

    static CniTestBed.Run run(CniTestBed bed, ObjectNode plugin, String cmd, String cid, Netns pod, ObjectNode conf) {
        String type = plugin.path("type").asText();
        Path bin = type.equals("podnet") ? bed.shim : REF.resolve(type);
        Map<String, String> env = bed.env(cmd, cid, pod, "eth0");
        return bed.execInHost(bin, env, conf.toString());
    }
}
