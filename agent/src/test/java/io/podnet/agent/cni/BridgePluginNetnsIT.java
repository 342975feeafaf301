package io.podnet.agent.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.testkit.Netns;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import io.podnet.workload.bridge.Attachment;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 7 acceptance: the compiled C shim executed exactly as a runtime does, forwarding to a real agent (own
 * JVM) whose bridge lives in a throwaway "host" namespace; pods are throwaway namespaces.
 */
class BridgePluginNetnsIT {
    static CniTestBed bed;
    static int subnet;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Netns.privileged(), "needs root for network namespaces");
        bed = new CniTestBed();
        bed.startAgent();
    }

    @AfterAll
    static void stop() throws Exception {
        if (bed != null) bed.close();
    }

    static String v4() { return "10.77." + (++subnet) + ".0/24"; }

    @ParameterizedTest
    @ValueSource(strings = {"0.3.1", "0.4.0", "1.0.0", "1.1.0"})
    void addCheckDelDelAtEachVersion(String version) throws Exception {
        Netns pod = bed.pod();
        String net = "n" + version.replace(".", "");
        String br = RunId.name("b");
        ObjectNode conf = bed.bridgeConf(version, net, br, v4());
        var add = bed.podnet("ADD", "ctr-" + net, pod, "eth0", conf.toString());
        assertThat(add.exit()).as(add.toString()).isZero();
        JsonNode r = add.json();
        assertThat(r.path("cniVersion").asText()).isEqualTo(version);
        assertThat(r.path("interfaces")).hasSize(3);
        assertThat(r.path("interfaces").get(2).path("sandbox").asText()).isEqualTo(pod.path().toString());
        JsonNode ip = r.path("ips").get(0);
        assertThat(ip.path("interface").asInt()).isEqualTo(2);
        if (version.startsWith("0.")) assertThat(ip.path("version").asText()).isEqualTo("4");
        else assertThat(ip.has("version")).as("1.x results have no ips[].version").isFalse();
        String addr = ip.path("address").asText();
        assertThat(Sh.ip(pod.name(), "-o", "addr", "show", "dev", "eth0")).contains(addr);
        assertThat(bed.reservations(net)).containsExactly(addr.split("/")[0]);
        String hostVeth = Attachment.hostVethName("ctr-" + net, "eth0");
        assertThat(bed.hostVeths()).contains(hostVeth);

        ObjectNode withPrev = conf.deepCopy();
        if (!version.equals("0.3.1")) {
            withPrev.set("prevResult", r);
            var check = bed.podnet("CHECK", "ctr-" + net, pod, "eth0", withPrev.toString());
            assertThat(check.exit()).as(check.toString()).isZero();
        }
        for (int i = 0; i < 2; i++) {
            var del = bed.podnet("DEL", "ctr-" + net, pod, "eth0", withPrev.toString());
            assertThat(del.exit()).as("DEL #" + (i + 1) + " " + del).isZero();
        }
        assertThat(bed.hostVeths()).doesNotContain(hostVeth);
        assertThat(bed.reservations(net)).isEmpty();
        assertThat(Sh.run("ip", "-n", pod.name(), "link", "show", "eth0").ok()).isFalse();
    }

    @Test
    void dualStackPodsPingEachOtherAndTheGateway() throws Exception {
        String net = "dual";
        String br = RunId.name("b");
        String v4 = v4();
        ObjectNode conf = bed.bridgeConf("1.0.0", net, br, v4, "fd77:" + subnet + "::/64");
        Netns a = bed.pod();
        Netns b = bed.pod();
        var ra = bed.podnet("ADD", "ctr-da", a, "eth0", conf.toString());
        var rb = bed.podnet("ADD", "ctr-db", b, "eth0", conf.toString());
        assertThat(ra.exit()).as(ra.toString()).isZero();
        assertThat(rb.exit()).as(rb.toString()).isZero();
        try {
            assertThat(rb.json().path("ips")).hasSize(2);
            String b4 = rb.json().path("ips").get(0).path("address").asText().split("/")[0];
            String b6 = rb.json().path("ips").get(1).path("address").asText().split("/")[0];
            String gw4 = ra.json().path("ips").get(0).path("gateway").asText();
            assertThat(b6).contains(":");
            assertThat(gw4).isEqualTo(v4.replace(".0/24", ".1"));
            assertThat(within(Duration.ofSeconds(10), () -> a.ping(gw4))).as("pod a -> gateway " + gw4).isTrue();
            assertThat(within(Duration.ofSeconds(10), () -> a.ping(b4))).as("pod a -> pod b " + b4).isTrue();
            assertThat(within(Duration.ofSeconds(10), () -> a.exec("ping", "-6", "-c", "1", "-W", "2", b6).ok()))
                    .as("pod a -> pod b over v6 " + b6).isTrue();
        } finally {
            bed.podnet("DEL", "ctr-da", a, "eth0", conf.toString());
            bed.podnet("DEL", "ctr-db", b, "eth0", conf.toString());
        }
        assertThat(bed.reservations(net)).isEmpty();
    }

    @Test
    void malformedInputGetsTheRightCodeAndLeaksNothing() throws Exception {
        String net = "bad";
        ObjectNode conf = bed.bridgeConf("1.0.0", net, RunId.name("b"), v4());
        Netns pod = bed.pod();
        int vethsBefore = bed.hostVeths().size();

        assertCode(bed.podnet("ADD", "ctr-b1", pod, "eth0", "{\"cniVersion\":\"1.0.0\",\"name\":"), 6, "bad JSON");
        Map<String, String> noCommand = bed.env("ADD", "ctr-b1", pod, "eth0");
        noCommand.remove("CNI_COMMAND");
        assertCode(bed.exec(bed.shim, noCommand, conf.toString()), 4, "no CNI_COMMAND");
        Map<String, String> noId = bed.env("ADD", null, pod, "eth0");
        assertCode(bed.exec(bed.shim, noId, conf.toString()), 4, "no CNI_CONTAINERID");
        assertCode(bed.podnet("ADD", "ctr-b1", pod, null, conf.toString()), 4, "no CNI_IFNAME");
        Map<String, String> noNetns = bed.env("ADD", "ctr-b1", null, "eth0");
        assertCode(bed.exec(bed.shim, noNetns, conf.toString()), 4, "no CNI_NETNS");
        ObjectNode future = conf.deepCopy().put("cniVersion", "9.9.9");
        assertCode(bed.podnet("ADD", "ctr-b1", pod, "eth0", future.toString()), 1, "unknown cniVersion");
        assertCode(bed.podnet("ADD", "-bad/id!", pod, "eth0", conf.toString()), 4, "bad container id");
        assertCode(bed.podnet("ADD", "ctr-b1", pod, "eth0/x", conf.toString()), 4, "bad ifname (slash)");
        assertCode(bed.podnet("ADD", "ctr-b1", pod, "an-interface-name-too-long", conf.toString()), 4, "bad ifname (too long)");

        Sh.ip(pod.name(), "link", "add", "eth0", "type", "bridge");
        var exists = bed.podnet("ADD", "ctr-b1", pod, "eth0", conf.toString());
        // what the reference bridge answers (libcni ErrInternal 999), not 7: the config is fine, the name is taken
        assertCode(exists, 999, "interface exists");
        assertThat(exists.json().path("msg").asText()).contains("(eth0) already exists");
        assertThat(exists.json().path("details").asText()).contains("CNI_IFNAME=eth0");
        assertThat(Sh.ipJson(pod.name(), "link", "show", "eth0").get(0).path("linkinfo").path("info_kind").asText())
                .as("the existing interface is untouched").isEqualTo("bridge");
        assertThat(bed.reservations(net)).as("no reservation after failed ADDs").isEmpty();
        assertThat(bed.hostVeths()).as("no veth after failed ADDs").hasSize(vethsBefore);
        assertThat(Sh.ipJson(pod.name(), "link", "show", "type", "veth")).isEmpty();
        // the runtime still DELs after a failed ADD: that must succeed, and leave alone the eth0 podnet did not make
        assertThat(bed.podnet("DEL", "ctr-b1", pod, "eth0", conf.toString()).exit()).isZero();
        assertThat(Sh.ipJson(pod.name(), "link", "show", "eth0").get(0).path("linkinfo").path("info_kind").asText())
                .as("DEL removes only what ADD made").isEqualTo("bridge");
    }

    @Test
    void gcReleasesEverythingNotValidAndStatusIsOk() throws Exception {
        String net = "gc";
        ObjectNode conf = bed.bridgeConf("1.1.0", net, RunId.name("b"), v4());
        Netns[] pods = {bed.pod(), bed.pod(), bed.pod()};
        for (int i = 0; i < 3; i++) {
            var r = bed.podnet("ADD", "ctr-gc" + i, pods[i], "eth0", conf.toString());
            assertThat(r.exit()).as(r.toString()).isZero();
        }
        assertThat(bed.reservations(net)).hasSize(3);
        ObjectNode gc = conf.deepCopy();
        gc.putArray("cni.dev/valid-attachments").addObject().put("containerID", "ctr-gc0").put("ifname", "eth0");
        var r = bed.exec(bed.shim, Map.of("CNI_COMMAND", "GC", "CNI_PATH", bed.bin.toString(), "PODNET_AGENT_SOCKET", bed.socket.toString()),
                gc.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(bed.reservations(net)).hasSize(1);
        assertThat(bed.reservationOwner(net, bed.reservations(net).get(0))).isEqualTo("ctr-gc0");
        assertThat(bed.hostVeths()).contains(Attachment.hostVethName("ctr-gc0", "eth0"))
                .doesNotContain(Attachment.hostVethName("ctr-gc1", "eth0"), Attachment.hostVethName("ctr-gc2", "eth0"));

        var status = bed.exec(bed.shim, Map.of("CNI_COMMAND", "STATUS", "CNI_PATH", bed.bin.toString(),
                "PODNET_AGENT_SOCKET", bed.socket.toString()), conf.toString());
        assertThat(status.exit()).as(status.toString()).isZero();
        for (int i = 0; i < 3; i++) assertThat(bed.podnet("DEL", "ctr-gc" + i, pods[i], "eth0", conf.toString()).exit()).isZero();
        assertThat(bed.reservations(net)).isEmpty();
    }

    @Test
    void withoutAnAgentAddIsTryAgainLaterAndStatusIsNotAvailable() {
        Path nowhere = bed.dir.resolve("no-agent.sock");
        ObjectNode conf = bed.bridgeConf("1.1.0", "none", "nobr", v4());
        Map<String, String> env = bed.env("ADD", "ctr-x", null, "eth0");
        env.put("CNI_NETNS", "/run/netns/none");
        env.put("PODNET_AGENT_SOCKET", nowhere.toString());
        assertCode(bed.exec(bed.shim, env, conf.toString()), 11, "ADD without agent");
        var status = bed.exec(bed.shim, Map.of("CNI_COMMAND", "STATUS", "CNI_PATH", bed.bin.toString(), "PODNET_AGENT_SOCKET", nowhere.toString()),
                conf.toString());
        assertCode(status, 50, "STATUS without agent");
        var version = bed.exec(bed.shim, Map.of("CNI_COMMAND", "VERSION", "PODNET_AGENT_SOCKET", nowhere.toString()), "{\"cniVersion\":\"1.0.0\"}");
        assertThat(version.exit()).as(version.toString()).isZero();
        assertThat(version.json().path("supportedVersions").toString()).contains("1.1.0", "0.3.1");
    }

    static void assertCode(CniTestBed.Run r, int code, String what) {
        assertThat(r.exit()).as(what + ": " + r).isEqualTo(1);
        assertThat(r.code()).as(what + ": " + r).isEqualTo(code);
        assertThat(r.json().path("msg").asText()).as(what).isNotBlank();
    }

    static boolean within(Duration d, BooleanSupplier ok) {
        Instant end = Instant.now().plus(d);
        while (Instant.now().isBefore(end)) {
            if (ok.getAsBoolean()) return true;
        }
        return false;
    }
}
