package io.podnet.agent.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.podnet.cni.CniException;
import io.podnet.cni.CniRequest;
import io.podnet.cni.CniRequestParser;
import io.podnet.cni.server.CniResponse;
import io.podnet.ipam.store.IpamStores;
import io.podnet.rtnetlink.Namespaces;
import io.podnet.rtnetlink.NetNs;
import io.podnet.testkit.Netns;
import io.podnet.testkit.NetnsExtension;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import io.podnet.workload.bridge.Attachment;
import io.podnet.dataplane.NamespaceSandboxes;
import io.podnet.dataplane.NodeDataplane;
import io.podnet.rtnetlink.Namespaces;
import io.podnet.workload.bridge.BridgeNetworks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The handler in-process, on a "host" handle for a throwaway namespace, called from a thread that sits in yet
 * another namespace: the host's sysctls and nft table must land in the host namespace, the pod's plumbing in the
 * pod, and nothing in the caller's namespace.
 */
@ExtendWith(NetnsExtension.class)
public class BridgeCniHandlerNetnsIT {
    @TempDir
    Path dir;

    static String forwarding(Netns ns) {
        return ns.exec("sysctl", "-n", "net.ipv4.ip_forward").check().out().strip();
    }

    static CniRequest request(String command, Netns pod, String conf) throws Exception {
        return request(command, "ctr-explicit", pod, conf);
    }

    /** A request as the shim forwards it, for a pod namespace made by the testkit (also used by the node bed). */
    public static CniRequest request(String command, String cid, Netns pod, String conf) throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", cid);
        env.put("CNI_NETNS", pod.path().toString());
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", "/usr/lib/cni");
        return CniRequestParser.parse(env, conf.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void hostSysctlsAndNftIgnoreTheCallingThreadsNamespace(Netns host, Netns pod, Netns elsewhere) throws Exception {
        for (Netns n : new Netns[] {host, elsewhere}) Sh.check("ip", "netns", "exec", n.name(), "sysctl", "-qw", "net.ipv4.ip_forward=0");
        String bridge = RunId.name("x");
        String conf = """
                {"cniVersion":"1.0.0","name":"explicitns","type":"podnet","bridge":"%s","isGateway":true,"ipMasq":true,
                 "ipam":{"type":"podnet-ipam","ranges":[[{"subnet":"10.77.0.0/24"}]],"dataDir":"%s"}}""".formatted(bridge, dir.resolve("ipam"));
        try (NodeDataplane dp = NodeDataplane.open(NetNs.named(host.name()), NodeDataplane.Config.DEFAULT, 2, 2); IpamStores stores = new IpamStores()) {
            dp.start();
            // the handler writes the host's state only through the node dataplane, whatever namespace its thread is in
            BridgeCniHandler handler = new BridgeCniHandler(dp.kernel(), new NamespaceSandboxes(dp.workers().orElseThrow()), stores,
                    new BridgeNetworks(dp, dir.resolve("networks"), false), dir.resolve("ipam"));
            NetNs caller = NetNs.named(elsewhere.name());
            CniResponse r = Namespaces.runIn(caller, () -> handler.handle(request("ADD", pod, conf)));
            assertThat(r.exitCode()).as(new String(r.stdout(), StandardCharsets.UTF_8)).isZero();

            assertThat(forwarding(host)).isEqualTo("1");
            assertThat(forwarding(elsewhere)).isEqualTo("0");
            assertThat(host.exec("nft", "list", "table", "inet", "podnet").check().out()).contains("ip saddr 10.77.0.0/24").contains("masquerade");
            assertThat(elsewhere.exec("nft", "list", "tables").check().out()).doesNotContain("podnet");
            assertThat(Sh.ip(pod.name(), "-4", "addr", "show", "eth0")).contains("10.77.0.2/24");
            assertThat(Sh.ip(host.name(), "link", "show", bridge)).contains(bridge);
            assertThat(Sh.ip(elsewhere.name(), "link", "show")).doesNotContain(bridge);

            // with the bridge cached the veth is created in parallel with IPAM: the failures must still leak nothing
            // and must not touch the live attachment
            Sh.ip(elsewhere.name(), "link", "add", "eth0", "type", "bridge");
            var taken = assertThrows(CniException.class, () -> handler.handle(request("ADD", "ctr-other", elsewhere, conf)));
            assertThat(taken.code()).as(taken.getMessage()).isEqualTo(999);
            var twice = assertThrows(CniException.class, () -> handler.handle(request("ADD", pod, conf)));
            assertThat(twice.code()).as(twice.getMessage()).isEqualTo(103);
            assertThat(Sh.ip(host.name(), "link", "show")).contains(Attachment.hostVethName("ctr-explicit", "eth0"))
                    .doesNotContain(Attachment.hostVethName("ctr-other", "eth0"));
            assertThat(Sh.ip(pod.name(), "-4", "addr", "show", "eth0")).contains("10.77.0.2/24");
            assertThat(stores.get(dir.resolve("ipam").resolve("explicitns"), true).reservations()).hasSize(1);

            CniResponse del = Namespaces.runIn(caller, () -> handler.handle(request("DEL", pod, conf)));
            assertThat(del.exitCode()).isZero();
            assertThat(Sh.ip(host.name(), "link", "show")).doesNotContain(Attachment.hostVethName("ctr-explicit", "eth0"));
            assertThat(Sh.ip(pod.name(), "link", "show")).doesNotContain("eth0");
            // the network's last endpoint is gone: its bridge and masquerade chain follow (in the loop, not in the DEL)
            assertThat(dp.awaitInSync(java.time.Duration.ofSeconds(10))).isTrue();
            assertThat(Sh.ip(host.name(), "link", "show")).doesNotContain(bridge);
            assertThat(host.exec("nft", "list", "tables").check().out()).doesNotContain("podnet");
        }
    }
}
