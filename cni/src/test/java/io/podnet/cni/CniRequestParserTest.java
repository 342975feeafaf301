package io.podnet.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CniRequestParserTest {

    static Map<String, String> env(String cmd) {
        Map<String, String> e = new HashMap<>();
        e.put("CNI_COMMAND", cmd);
        e.put("CNI_CONTAINERID", "abc123");
        e.put("CNI_NETNS", "/run/netns/x");
        e.put("CNI_IFNAME", "eth0");
        e.put("CNI_PATH", "/opt/cni/bin:/usr/lib/cni");
        return e;
    }

    static byte[] conf(String version) {
        return ("{\"cniVersion\":\"" + version + "\",\"name\":\"net1\",\"type\":\"podnet\"}").getBytes(StandardCharsets.UTF_8);
    }

    static int codeOf(Map<String, String> env, byte[] stdin) {
        try {
            CniRequestParser.parse(env, stdin);
            return 0;
        } catch (CniException e) {
            return e.code();
        }
    }

    @Test
    void parsesAValidAdd() throws Exception {
        var e = env("ADD");
        e.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0;IP=10.1.0.7;MAC=02:42:ac:11:00:02");
        CniRequest r = CniRequestParser.parse(e, conf("1.0.0"));
        assertThat(r.command()).isEqualTo(CniCommand.ADD);
        assertThat(r.containerId()).isEqualTo("abc123");
        assertThat(r.path()).hasSize(2);
        assertThat(r.args().ignoreUnknown()).isTrue();
        assertThat(r.args().k8sPodName()).contains("web-0");
        assertThat(r.requestedIps()).containsExactly("10.1.0.7");
        assertThat(r.requestedMac()).contains("02:42:ac:11:00:02");
        assertThat(r.conf().name()).isEqualTo("net1");
        assertThat(r.plugin()).isEqualTo("podnet");
    }

    @Test
    void missingVariablesAreCode4AndNamed() {
        var e = env("ADD");
        e.remove("CNI_NETNS");
        e.remove("CNI_IFNAME");
        assertThatThrownBy(() -> CniRequestParser.parse(e, conf("1.0.0")))
                .isInstanceOfSatisfying(CniException.class, x -> {
                    assertThat(x.code()).isEqualTo(4);
                    assertThat(x.msg()).contains("CNI_NETNS").contains("CNI_IFNAME");
                });
    }

    @Test
    void delNeedsNoNetnsButGcNeedsCniPath() {
        var del = env("DEL");
        del.remove("CNI_NETNS");
        assertThat(codeOf(del, conf("1.0.0"))).isZero();
        var gc = new HashMap<String, String>(Map.of("CNI_COMMAND", "GC"));
        assertThat(codeOf(gc, conf("1.1.0"))).isEqualTo(4);
        gc.put("CNI_PATH", "/opt/cni/bin");
        assertThat(codeOf(gc, conf("1.1.0"))).isZero();
    }

    @Test
    void unknownOrMissingCommandIsCode4() {
        assertThat(codeOf(env("FROB"), conf("1.0.0"))).isEqualTo(4);
        assertThat(codeOf(new HashMap<>(), conf("1.0.0"))).isEqualTo(4);
    }

    @Test
    void containerIdSyntaxFollowsTheSpec() {
        var e = env("ADD");
        e.put("CNI_CONTAINERID", "");
        assertThat(codeOf(e, conf("1.0.0"))).isEqualTo(4); // missing variable first
        for (String bad : new String[] {"-abc", "a b", "a/b", "_x", "a;b"}) {
            e.put("CNI_CONTAINERID", bad);
            assertThat(codeOf(e, conf("1.0.0"))).as(bad).isEqualTo(4);
        }
        for (String good : new String[] {"a", "0abc", "a.b-c_d", "9f86d081884c7d659a2feaa0c55ad015"}) {
            e.put("CNI_CONTAINERID", good);
            assertThat(codeOf(e, conf("1.0.0"))).as(good).isZero();
        }
    }

    @Test
    void interfaceNameSyntaxFollowsTheKernel() {
        var e = env("ADD");
        for (String bad : new String[] {"0123456789abcdef", ".", "..", "a/b", "a:b", "a b", "a\tb"}) {
            e.put("CNI_IFNAME", bad);
            assertThat(codeOf(e, conf("1.0.0"))).as(bad).isEqualTo(4);
        }
        e.put("CNI_IFNAME", "0123456789abcde");
        assertThat(codeOf(e, conf("1.0.0"))).isZero();
    }

    @Test
    void versionMustMatchExactlyWithSkelDetails() {
        assertThatThrownBy(() -> CniRequestParser.parse(env("ADD"), conf("0.2.0")))
                .isInstanceOfSatisfying(CniException.class, x -> {
                    assertThat(x.code()).isEqualTo(1);
                    assertThat(x.details()).isEqualTo("config is \"0.2.0\", plugin supports [0.3.0 0.3.1 0.4.0 1.0.0 1.1.0]");
                });
        assertThat(codeOf(env("ADD"), "{\"name\":\"n\",\"type\":\"t\"}".getBytes())).isEqualTo(1); // absent = 0.1.0
        assertThat(codeOf(env("ADD"), conf("1.2.0"))).isEqualTo(1);
    }

    @Test
    void gcAndStatusNeedVersion110AndCheckNeeds040() {
        assertThat(codeOf(env("GC"), conf("1.0.0"))).isEqualTo(1);
        assertThat(codeOf(env("STATUS"), conf("1.0.0"))).isEqualTo(1);
        assertThat(codeOf(env("STATUS"), conf("1.1.0"))).isZero();
        assertThat(codeOf(env("CHECK"), conf("0.3.1"))).isEqualTo(1);
        assertThat(codeOf(env("CHECK"), conf("0.4.0"))).isZero();
    }

    @Test
    void badJsonIsCode6AndBadFieldTypesAreCode7() {
        assertThat(codeOf(env("ADD"), "{not json".getBytes())).isEqualTo(6);
        assertThat(codeOf(env("ADD"), "[]".getBytes())).isEqualTo(6);
        assertThat(codeOf(env("ADD"), "{\"cniVersion\":1}".getBytes())).isEqualTo(6);
        byte[] badRc = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"runtimeConfig\":{\"ips\":\"10.0.0.1\"}}".getBytes();
        assertThatThrownBy(() -> CniRequestParser.parse(env("ADD"), badRc))
                .isInstanceOfSatisfying(CniException.class, x -> {
                    assertThat(x.code()).isEqualTo(7);
                    assertThat(x.msg()).contains("runtimeConfig.ips");
                });
    }

    @Test
    void gcAcceptsBothAttachmentKeys() throws Exception {
        var gc = new HashMap<String, String>(Map.of("CNI_COMMAND", "GC", "CNI_PATH", "/opt/cni/bin"));
        for (String key : new String[] {"cni.dev/valid-attachments", "cni.dev/attachments"}) {
            byte[] in = ("{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"podnet\",\"" + key
                    + "\":[{\"containerID\":\"c1\",\"ifname\":\"eth0\"},{\"containerID\":\"c2\",\"ifname\":\"net1\"}]}").getBytes();
            CniRequest r = CniRequestParser.parse(gc, in);
            assertThat(r.conf().validAttachments()).containsExactly(new Attachment("c1", "eth0"), new Attachment("c2", "net1"));
        }
    }

    @Test
    void capabilityArgsAreTyped() throws Exception {
        byte[] in = ("{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"podnet\",\"runtimeConfig\":{"
                + "\"ips\":[\"10.0.0.9/24\"],\"mac\":\"c2:11:22:33:44:55\","
                + "\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"}],"
                + "\"bandwidth\":{\"ingressRate\":1000,\"egressBurst\":20},\"dns\":{\"servers\":[\"10.0.0.10\"]},"
                + "\"ipRanges\":[[{\"subnet\":\"10.9.0.0/24\"}]],\"aliases\":{\"n\":[\"x\"]}},"
                + "\"args\":{\"cni\":{\"ips\":[\"10.0.0.8\"],\"labels\":[{\"key\":\"app\",\"value\":\"web\"}]}}}").getBytes();
        CniRequest r = CniRequestParser.parse(env("ADD"), in);
        var rc = r.conf().runtimeConfig();
        assertThat(rc.portMappings()).singleElement().satisfies(p -> assertThat(p.hostPort()).isEqualTo(8080));
        assertThat(rc.bandwidth().orElseThrow().ingressRate()).isEqualTo(1000);
        assertThat(rc.dns().orElseThrow().servers()).containsExactly("10.0.0.10");
        assertThat(rc.ipRanges()).isPresent();
        assertThat(rc.raw().has("aliases")).isTrue();
        assertThat(r.requestedIps()).containsExactly("10.0.0.9/24"); // runtimeConfig wins over args.cni
        assertThat(r.conf().args().labels()).containsExactly(Map.entry("app", "web"));
        assertThat(r.requestedMac()).contains("c2:11:22:33:44:55");
    }

    @Test
    void cniArgsPairsWithoutEqualsAreRejectedAndValuesMayContainEquals() throws Exception {
        assertThatThrownBy(() -> CniArgs.parse("A=1;broken")).isInstanceOfSatisfying(CniException.class,
                x -> assertThat(x.code()).isEqualTo(4));
        CniArgs a = CniArgs.parse("X=a=b;;IP=10.0.0.1,fd00::1");
        assertThat(a.get("X")).contains("a=b");
        assertThat(a.ips()).containsExactly("10.0.0.1", "fd00::1");
        assertThatThrownBy(() -> a.requireKnown(java.util.Set.of("IP"))).isInstanceOf(CniException.class);
        assertThat(a.toString()).isEqualTo("X=a=b;IP=10.0.0.1,fd00::1");
    }

    @Test
    void versionCommandToleratesEmptyStdin() throws Exception {
        CniRequest r = CniRequestParser.parse(Map.of("CNI_COMMAND", "VERSION"), new byte[0]);
        assertThat(r.conf().cniVersion()).isEqualTo("1.1.0");
    }

    @Test
    void errorCodesAreAnOpenEnum() {
        assertThat(CniErrorCode.of(11)).isSameAs(CniErrorCode.TRY_AGAIN_LATER);
        assertThat(CniErrorCode.of(777).isKnown()).isFalse();
        assertThat(CniErrorCode.of(777).isPluginSpecific()).isTrue();
        assertThat(new CniException(CniErrorCode.of(777), "x", "").code()).isEqualTo(777);
    }

    @Test
    void negotiationPicksTheHighestSupportedOfTheUnion() {
        assertThat(CniVersion.negotiate("0.4.0", java.util.List.of("1.0.0", "1.1.0", "2.0.0", "junk"))).contains(CniVersion.V1_1_0);
        assertThat(CniVersion.negotiate("0.3.1", null)).contains(CniVersion.V0_3_1);
        assertThat(CniVersion.negotiate("0.2.0", java.util.List.of())).isEmpty();
    }
}
