package io.podnet.cnm;

import io.podnet.net.IpPrefix;
import java.nio.file.Path;

/**
 * Configuration of the CNM server.
 *
 * @param socket        unix socket Docker discovers the plugin by ({@code /run/docker/plugins/<name>.sock}); the
 *                      file name without {@code .sock} is the driver name used with {@code docker network create -d}
 * @param stateDir      where networks, endpoints, pool references and address reservations are persisted
 * @param defaultPools  range the default pools (RequestPool with empty Pool) are carved from
 * @param defaultPoolLength prefix length of a default pool
 * @param fsync         fsync state and reservations before answering (crash-safe across power loss)
 * @param ipMasq        masquerade traffic leaving a network's pool (like Docker's bridge driver)
 */
public record CnmConfig(Path socket, Path stateDir, IpPrefix defaultPools, int defaultPoolLength, boolean fsync, boolean ipMasq) {
    public static final Path DEFAULT_SOCKET = Path.of("/run/docker/plugins/podnet.sock");
    public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/podnet/cnm");
    public static final IpPrefix DEFAULT_POOLS = IpPrefix.parse("10.240.0.0/12");

    public CnmConfig {
        if (socket == null || stateDir == null || defaultPools == null) throw new IllegalArgumentException("socket, stateDir and defaultPools are required");
        if (!defaultPools.address().isV4()) throw new IllegalArgumentException("default pool range must be IPv4: " + defaultPools);
        if (defaultPoolLength < defaultPools.length() || defaultPoolLength > 30) {
            throw new IllegalArgumentException("default pool length /" + defaultPoolLength + " must lie between /" + defaultPools.length() + " and /30");
        }
    }

    /** Defaults: {@code /run/docker/plugins/podnet.sock}, {@code /var/lib/podnet/cnm}, /24 pools from 10.240.0.0/12. */
    public static CnmConfig defaults() {
        return new CnmConfig(DEFAULT_SOCKET, DEFAULT_STATE_DIR, DEFAULT_POOLS, 24, true, true);
    }

    public CnmConfig withSocket(Path s) { return new CnmConfig(s, stateDir, defaultPools, defaultPoolLength, fsync, ipMasq); }

    public CnmConfig withStateDir(Path d) { return new CnmConfig(socket, d, defaultPools, defaultPoolLength, fsync, ipMasq); }

    public CnmConfig withDefaultPools(IpPrefix p, int len) { return new CnmConfig(socket, stateDir, p, len, fsync, ipMasq); }
}
