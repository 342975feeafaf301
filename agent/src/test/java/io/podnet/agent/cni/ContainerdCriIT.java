package io.podnet.agent.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.testkit.Netns;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Real runtime: containerd 1.6's CRI plugin, driven as kubelet drives it (RunPodSandbox, PodSandboxStatus,
 * StopPodSandbox twice, RemovePodSandbox) through its gRPC socket, with a conflist of podnet (C shim, socket named
 * in the config) and the reference portmap. containerd, the agent, the bridge and portmap's iptables rules all
 * live in one throwaway "node" namespace; a second namespace plays a client outside the node. The sandbox image
 * runs busybox httpd, so each pod serves its name on port 8080.
 * <p>Checks: both pods get addresses from the network's range and reach each other and the node; the hostPort
 * answers from outside the node and from the node itself; each StopPodSandbox makes a CNI DEL, the second one with
 * an empty {@code CNI_NETNS} (containerd removed the namespace after the first), and both succeed; afterwards no
 * veth, reservation, portmap chain, nft or iptables reference to a pod address, libcni cache entry, pod netns or
 * agent state file is left.
 */
class ContainerdCriIT {
    static final String SUBNET = "10.84.0.";
    static final int HOST_PORT = 18084;

    @Test
    void podsOnPodnetWithPortmapGetAddressesReachEachOtherServeTheHostPortAndLeaveNothing() throws Exception {
        assumeTrue(Containerd.unavailable().isEmpty(), Containerd.unavailable().orElse(""));
        try (CniTestBed bed = new CniTestBed(); Netns outside = Netns.create("x")) {
            bed.startAgent();
            String net = RunId.prefix() + "cri";
            ObjectNode podnet = bed.bridgeConf("1.0.0", net, RunId.name("cb"), SUBNET + "0/24");
            podnet.put("agentSocket", bed.socket.toString()).put("isDefaultGateway", true); // answers to clients off the subnet
            // baseline: what the network (not a pod) leaves in the node after one pod came and went
            Netns warm = bed.pod();
            assertThat(bed.podnet("ADD", "warm", warm, "eth0", podnet.toString()).exit()).isZero();
            assertThat(bed.podnet("DEL", "warm", warm, "eth0", podnet.toString()).exit()).isZero();
            List<String> stateBefore = AgentSoakNetnsIT.files(bed.stateDir);
            String uplink = uplink(bed.host, outside);

            Path work = bed.dir.resolve("containerd");
            Path cniBin = pluginDir(bed, work);
            Path confDir = Files.createDirectories(work.resolve("net.d"));
            podnet.remove(List.of("cniVersion", "name"));
            ObjectNode list = CniTestBed.JSON.createObjectNode().put("cniVersion", "1.0.0").put("name", net);
            list.putArray("plugins").add(podnet).addObject().put("type", "portmap").put("snat", true).putObject("capabilities").put("portMappings", true);
            Files.writeString(confDir.resolve("10-" + net + ".conflist"), list.toPrettyString());
            String image = "docker.io/library/" + RunId.prefix() + "-pause:latest";

            List<String> sandboxes = new ArrayList<>();
            List<String> netnsPaths = new ArrayList<>();
            try (Containerd containerd = Containerd.start(bed.host, work, cniBin, confDir, image);
                 CriClient cri = new CriClient(containerd.socket())) {
                containerd.importImage(image, List.of("/bin/httpd", "-f", "-p", "8080", "-h", "/www"), Map.of("/www/index.html", "served by a podnet pod\n"));
                try {
                    String a = cri.runPodSandbox(RunId.name("pa"), "default", List.of(new CriClient.Port(8080, HOST_PORT)));
                    sandboxes.add(a);
                    String b = cri.runPodSandbox(RunId.name("pb"), "default", List.of());
                    sandboxes.add(b);
                    CriClient.Status sa = cri.podSandboxStatus(a);
                    CriClient.Status sb = cri.podSandboxStatus(b);
                    netnsPaths.addAll(List.of(sa.netnsPath(), sb.netnsPath()));
                    assertThat(sa.ready() && sb.ready()).as("both sandboxes ready").isTrue();
                    assertThat(sa.ip()).startsWith(SUBNET);
                    assertThat(sb.ip()).startsWith(SUBNET).isNotEqualTo(sa.ip());
                    assertThat(bed.reservations(net)).containsExactlyInAnyOrder(sa.ip(), sb.ip());
                    assertThat(podVeths(bed, uplink)).hasSize(2);
                    assertThat(netnsPaths).allSatisfy(p -> assertThat(Path.of(p)).exists());

                    assertThat(pingFrom(sa.netnsPath(), sb.ip())).as("pod a -> pod b").isTrue();
                    assertThat(pingFrom(sb.netnsPath(), sa.ip())).as("pod b -> pod a").isTrue();
                    assertThat(bed.host.ping(sa.ip())).as("node -> pod a").isTrue();
                    assertThat(http(sb.netnsPath(), sa.ip(), 8080)).as("pod b -> pod a's server").contains("served by a podnet pod");
                    assertThat(http(outside.path().toString(), "10.84.200.1", HOST_PORT)).as("outside -> node's hostPort\n" + diagnostics(bed))
                            .contains("served by a podnet pod");
                    assertThat(http(bed.host.path().toString(), "127.0.0.1", HOST_PORT)).as("node's localhost -> hostPort\n" + diagnostics(bed))
                            .contains("served by a podnet pod");

                    for (String id : sandboxes) {
                        cri.stopPodSandbox(id);
                        cri.stopPodSandbox(id); // kubelet stops at least once, often twice
                    }
                    List<String> calls = Files.readAllLines(work.resolve("calls.log"));
                    assertThat(calls).as("CNI calls of podnet (command netns exit)").containsExactly(
                            "ADD " + sa.netnsPath() + " 0", "ADD " + sb.netnsPath() + " 0",
                            "DEL " + sa.netnsPath() + " 0", "DEL  0", "DEL " + sb.netnsPath() + " 0", "DEL  0");
                    for (String id : sandboxes) cri.removePodSandbox(id);
                    sandboxes.clear();
                } finally {
                    for (String id : sandboxes) {
                        try {
                            cri.removePodSandbox(id);
                        } catch (RuntimeException e) {
                            System.err.println("cleanup: RemovePodSandbox " + id + ": " + e + "\n" + containerd.logTail());
                        }
                    }
                }
            } finally {
                for (String p : netnsPaths) {
                    if (!p.isEmpty() && Files.exists(Path.of(p))) { // containerd removes them; a failed run may not
                        Sh.run("umount", p);
                        Files.deleteIfExists(Path.of(p));
                    }
                }
            }
            assertThat(podVeths(bed, uplink)).as("veths").isEmpty();
            assertThat(bed.reservations(net)).as("reservations").isEmpty();
            assertThat(netnsPaths).as("pod namespaces").allSatisfy(p -> assertThat(Path.of(p)).doesNotExist());
            String iptables = Sh.run("ip", "netns", "exec", bed.host.name(), "iptables-save", "-t", "nat").out();
            assertThat(iptables).as("portmap's per-pod chains").doesNotContain("CNI-DN-");
            assertThat(iptables + AgentSoakNetnsIT.nft(bed)).as("pod addresses in iptables/nft")
                    .doesNotContainPattern(Pattern.quote(SUBNET) + "([2-9]|[1-9][0-9]+)\\b");
            assertThat(PodmanIT.cacheEntries(net, "")).as("libcni cache entries for " + net).isEmpty();
            assertThat(AgentSoakNetnsIT.files(bed.stateDir)).as("files in the agent's state directory").isEqualTo(stateBefore);
        }
    }

    /**
     * containerd 1.6 takes one plugin dir: the reference plugins (portmap, loopback) linked in, podnet-ipam, and a
     * podnet wrapper that records each call's command, CNI_NETNS and exit status before passing the result on.
     */
    static Path pluginDir(CniTestBed bed, Path work) throws Exception {
        Path dir = Files.createDirectories(work.resolve("cnibin"));
        try (var s = Files.list(Path.of("/usr/lib/cni"))) {
            for (Path p : s.toList()) Files.createSymbolicLink(dir.resolve(p.getFileName()), p);
        }
        Files.createSymbolicLink(dir.resolve("podnet-ipam"), bed.shim);
        Path wrapper = dir.resolve("podnet");
        Files.writeString(wrapper, """
                #!/bin/sh
                %s
                rc=$?
                echo "$CNI_COMMAND $CNI_NETNS $rc" >> %s
                exit $rc
                """.formatted(bed.shim, work.resolve("calls.log")));
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    /** A veth from the node namespace (10.84.200.1) to a client outside it (10.84.200.2, default route via the node). */
    static String uplink(Netns node, Netns outside) {
        String a = RunId.name("u");
        Sh.check("ip", "-n", node.name(), "link", "add", a, "type", "veth", "peer", "name", "eth0", "netns", outside.name());
        Sh.check("ip", "-n", node.name(), "addr", "add", "10.84.200.1/24", "dev", a);
        Sh.check("ip", "-n", node.name(), "link", "set", a, "up");
        Sh.check("ip", "-n", outside.name(), "addr", "add", "10.84.200.2/24", "dev", "eth0");
        Sh.check("ip", "-n", outside.name(), "link", "set", "eth0", "up");
        Sh.check("ip", "-n", outside.name(), "route", "add", "default", "via", "10.84.200.1");
        return a;
    }

    /** The node's veths other than the uplink: the pods' host ends. */
    static List<String> podVeths(CniTestBed bed, String uplink) {
        return bed.hostVeths().stream().filter(v -> !v.equals(uplink)).toList();
    }

    static String diagnostics(CniTestBed bed) {
        return Sh.run("ip", "netns", "exec", bed.host.name(), "iptables-save").out() + AgentSoakNetnsIT.nft(bed)
                + Sh.run("ip", "netns", "exec", bed.host.name(), "sysctl", "net.ipv4.ip_forward", "net.ipv4.conf.all.route_localnet").out()
                + Sh.ip(bed.host.name(), "-o", "addr") + Sh.ip(bed.host.name(), "route");
    }

    static boolean pingFrom(String netnsPath, String target) {
        return Sh.run(List.of("nsenter", "--net=" + netnsPath, "ping", "-c", "1", "-W", "2", target), 30).ok();
    }

    /** HTTP/1.0 GET of /index.html from inside a namespace (bash's /dev/tcp), retried for 20 s while the server starts. */
    static String http(String netnsPath, String host, int port) {
        String script = "exec 3<>/dev/tcp/" + host + "/" + port + " && printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3";
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        Sh.Result r;
        while (!(r = Sh.run(List.of("nsenter", "--net=" + netnsPath, "timeout", "5", "bash", "-c", script), 30)).ok() && System.nanoTime() < end) {
            java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(200));
        }
        return r.out() + r.err();
    }
}
