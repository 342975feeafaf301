package io.podnet.bench.agentmem;

import io.podnet.testkit.Sh;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What dockerd sends a remote driver when it starts and when {@code docker network create -d podnet
 * --ipam-driver podnet --subnet 10.250.0.0/24 bench} runs: the handshake, a pool, its gateway and the network
 * (a bridge). Sent with curl over the plugin's unix socket, so the driver's HTTP path and handlers are loaded
 * as on a node with Docker.
 */
final class DockerHandshake {
    private static final Pattern POOL_ID = Pattern.compile("\"PoolID\"\\s*:\\s*\"([^\"]+)\"");

    private DockerHandshake() {}

    static void createNetwork(Path socket) {
        post(socket, "Plugin.Activate", "");
        post(socket, "NetworkDriver.GetCapabilities", "");
        post(socket, "IpamDriver.GetCapabilities", "");
        post(socket, "IpamDriver.GetDefaultAddressSpaces", "");
        String pool = post(socket, "IpamDriver.RequestPool",
                "{\"AddressSpace\":\"podnet-local\",\"Pool\":\"10.250.0.0/24\",\"SubPool\":\"\",\"Options\":{},\"V6\":false}");
        Matcher m = POOL_ID.matcher(pool);
        if (!m.find()) throw new IllegalStateException("RequestPool answered " + pool);
        post(socket, "IpamDriver.RequestAddress", "{\"PoolID\":\"" + m.group(1)
                + "\",\"Address\":\"\",\"Options\":{\"RequestAddressType\":\"com.docker.network.gateway\"}}");
        post(socket, "NetworkDriver.CreateNetwork", "{\"NetworkID\":\"benchnet0000\",\"Options\":{\"com.docker.network.generic\":{}},"
                + "\"IPv4Data\":[{\"AddressSpace\":\"podnet-local\",\"Pool\":\"10.250.0.0/24\",\"Gateway\":\"10.250.0.1/24\"}],\"IPv6Data\":[]}");
    }

    private static String post(Path socket, String method, String body) {
        Sh.Result r = Sh.run(List.of("curl", "-sS", "--fail-with-body", "--unix-socket", socket.toString(), "-X", "POST",
                "-H", "Content-Type: application/vnd.docker.plugins.v1.2+json", "--data", body, "http://localhost/" + method), 30);
        if (!r.ok()) throw new IllegalStateException("CNM " + method + " failed: " + r.err() + r.out());
        return r.out();
    }
}
