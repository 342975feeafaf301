package io.podnet.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.cni.config.Json;
import io.podnet.cni.result.CniInterface;
import io.podnet.cni.result.CniResult;
import io.podnet.cni.result.CniRoute;
import io.podnet.cni.result.Dns;
import io.podnet.cni.result.IpConfig;
import io.podnet.cni.result.ResultCodec;
import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ResultCodecTest {

    static byte[] capture(String name) throws Exception {
        try (InputStream in = ResultCodecTest.class.getResourceAsStream("/captures/cni/" + name)) {
            return in.readAllBytes();
        }
    }

    static CniResult bridgeResult() {
        var ifs = List.of(CniInterface.of("cni0", "0a:58:0a:01:00:01", ""), CniInterface.of("veth1234", "aa:bb:cc:dd:ee:ff", ""),
                new CniInterface("eth0", "02:42:0a:01:00:05", "/run/netns/x", Optional.of(1450), Optional.empty(), Optional.of("0000:04:00.5")));
        var ips = List.of(new IpConfig(Cidr.parse("10.1.0.5/24"), Optional.of(IpAddress.parse("10.1.0.1")), Optional.of(2)),
                new IpConfig(Cidr.parse("fd00::5/64"), Optional.empty(), Optional.of(2)));
        var routes = List.of(new CniRoute(IpPrefix.parse("0.0.0.0/0"), Optional.of(IpAddress.parse("10.1.0.1")), Optional.of(1400),
                Optional.empty(), Optional.of(100), Optional.of(254), Optional.of(0)));
        return new CniResult(ifs, ips, routes, Optional.of(new Dns(List.of("10.1.0.10"), "cluster.local", List.of(), List.of())));
    }

    @Test
    void decodesRealHostLocalResultsOfBothGenerations() throws Exception {
        CniResult old = ResultCodec.decode(capture("host-local-add-0.3.1.json"));
        CniResult neu = ResultCodec.decode(capture("host-local-add-1.0.0.json"));
        assertThat(old.ips()).extracting(ip -> ip.address().toString()).containsExactly("10.99.0.2/24", "fd00:99::2/64");
        assertThat(neu.ips()).extracting(ip -> ip.gateway().orElseThrow().toString()).containsExactly("10.99.0.1", "fd00:99::1");
        assertThat(old.interfaces()).isEmpty();
        assertThat(old.routes()).singleElement().satisfies(r -> assertThat(r.dst()).isEqualTo(IpPrefix.DEFAULT_V4));
    }

    @Test
    void legacyVersionsCarryIpVersionAnd100DoesNot() {
        var r = bridgeResult();
        var v031 = ResultCodec.encode(r, CniVersion.V0_3_1);
        assertThat(v031.get("ips").get(0).get("version").asText()).isEqualTo("4");
        assertThat(v031.get("ips").get(1).get("version").asText()).isEqualTo("6");
        assertThat(ResultCodec.encode(r, CniVersion.V0_4_0).get("ips").get(0).has("version")).isTrue();
        var v100 = ResultCodec.encode(r, CniVersion.V1_0_0);
        assertThat(v100.get("ips").get(0).has("version")).isFalse();
        assertThat(v100.get("ips").get(0).get("interface").asInt()).isEqualTo(2);
    }

    @Test
    void only110CarriesRouteAndInterfaceExtras() {
        var r = bridgeResult();
        var v100 = ResultCodec.encode(r, CniVersion.V1_0_0);
        assertThat(v100.get("routes").get(0).has("mtu")).isFalse();
        assertThat(v100.get("interfaces").get(2).has("mtu")).isFalse();
        assertThat(v100.get("interfaces").get(2).has("pciID")).isFalse();
        var v110 = ResultCodec.encode(r, CniVersion.V1_1_0);
        var route = v110.get("routes").get(0);
        assertThat(route.get("mtu").asInt()).isEqualTo(1400);
        assertThat(route.get("priority").asInt()).isEqualTo(100);
        assertThat(route.get("table").asInt()).isEqualTo(254);
        assertThat(route.get("scope").asInt()).isZero();
        assertThat(v110.get("interfaces").get(2).get("mtu").asInt()).isEqualTo(1450);
        assertThat(v110.get("interfaces").get(2).get("pciID").asText()).isEqualTo("0000:04:00.5");
    }

    @Test
    void roundTripsThroughEveryVersion() throws Exception {
        var r = bridgeResult();
        assertThat(ResultCodec.decode(ResultCodec.encodeBytes(r, CniVersion.V1_1_0))).isEqualTo(r);
        for (CniVersion v : CniVersion.SUPPORTED) {
            byte[] b = ResultCodec.encodeBytes(r, v);
            CniResult back = ResultCodec.decode(b);
            assertThat(back.ips()).isEqualTo(r.ips());
            assertThat(back.dns()).isEqualTo(r.dns());
            assertThat(ResultCodec.convert(b, CniVersion.V0_3_0)).isEqualTo(ResultCodec.encodeBytes(back, CniVersion.V0_3_0));
        }
    }

    @Test
    void convertsACaptured031ResultUpTo110() throws Exception {
        byte[] out = ResultCodec.convert(capture("host-local-add-0.3.1.json"), CniVersion.V1_1_0);
        var n = Json.MAPPER.readTree(out);
        assertThat(n.get("cniVersion").asText()).isEqualTo("1.1.0");
        assertThat(n.get("ips").get(0).has("version")).isFalse();
    }

    @Test
    void malformedResultsAreCode6NamingTheField() {
        assertThatThrownBy(() -> ResultCodec.decode("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.0.0.1\"}]}".getBytes()))
                .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.code()).isEqualTo(6));
        assertThatThrownBy(() -> ResultCodec.decode("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"gateway\":\"10.0.0.1\"}]}".getBytes()))
                .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.msg()).contains("address"));
        assertThatThrownBy(() -> ResultCodec.decode("{\"cniVersion\":\"0.2.0\"}".getBytes()))
                .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.code()).isEqualTo(1));
        assertThatThrownBy(() -> ResultCodec.decode("{\"interfaces\":[],\"ips\":[{\"address\":\"10.0.0.1/8\",\"interface\":3}]}".getBytes()))
                .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.code()).isEqualTo(6));
    }

    @Test
    void errorResultsRoundTrip() throws Exception {
        var e = new CniException(CniErrorCode.TRY_AGAIN_LATER, "agent busy", "retry");
        var n = ResultCodec.encodeError(e, "0.4.0");
        assertThat(n.toString()).isEqualTo("{\"cniVersion\":\"0.4.0\",\"code\":11,\"msg\":\"agent busy\",\"details\":\"retry\"}");
        CniException back = ResultCodec.decodeError(n);
        assertThat(back.code()).isEqualTo(11);
        assertThat(back.details()).isEqualTo("retry");
        assertThat(ResultCodec.encodeError(new CniException(7, "bad", ""), "").has("details")).isFalse();
    }
}
