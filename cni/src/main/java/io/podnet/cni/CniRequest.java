package io.podnet.cni;

import io.podnet.cni.config.NetConf;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One validated plugin invocation. Fields absent for a command (e.g. container id for GC) are empty strings.
 *
 * @param command     {@code CNI_COMMAND}
 * @param containerId {@code CNI_CONTAINERID} ("" for STATUS/GC/VERSION)
 * @param netns       {@code CNI_NETNS} ("" when absent, allowed for DEL)
 * @param ifname      {@code CNI_IFNAME}
 * @param args        parsed {@code CNI_ARGS}
 * @param path        {@code CNI_PATH} split on ':'
 * @param config      the raw stdin bytes (the per-invocation network config)
 * @param conf        the decoded config; for VERSION only {@code cniVersion} is meaningful
 * @param plugin      which podnet plugin was executed ({@code "podnet"} or {@code "podnet-ipam"}), from the shim
 */
public record CniRequest(CniCommand command, String containerId, String netns, String ifname, CniArgs args,
                         List<Path> path, byte[] config, NetConf conf, String plugin) {

    public static final String PLUGIN_MAIN = "podnet";
    public static final String PLUGIN_IPAM = "podnet-ipam";

    public CniRequest {
        Objects.requireNonNull(command, "command");
        containerId = Objects.requireNonNullElse(containerId, "");
        netns = Objects.requireNonNullElse(netns, "");
        ifname = Objects.requireNonNullElse(ifname, "");
        args = Objects.requireNonNullElse(args, CniArgs.EMPTY);
        path = List.copyOf(path);
        config = config.clone();
        Objects.requireNonNull(conf, "conf");
        plugin = plugin == null || plugin.isEmpty() ? PLUGIN_MAIN : plugin;
    }

    @Override
    public byte[] config() {
        return config.clone();
    }

    /** The key that serialises requests: the container id (empty for STATUS/GC/VERSION). */
    public String lockKey() {
        return containerId;
    }

    /** The attachment this request is about (ADD/DEL/CHECK). */
    public Optional<Attachment> attachment() {
        return containerId.isEmpty() || ifname.isEmpty() ? Optional.empty() : Optional.of(new Attachment(containerId, ifname));
    }

    /** Whether the request came through the {@code podnet-ipam} binary (delegated IPAM). */
    public boolean isIpamPlugin() {
        return PLUGIN_IPAM.equals(plugin);
    }

    /**
     * Requested IPs from every source, in host-local's order of precedence: {@code runtimeConfig.ips},
     * {@code args.cni.ips}, then {@code CNI_ARGS IP=} (podman). Strings verbatim (may carry "/len").
     */
    public List<String> requestedIps() {
        if (!conf.runtimeConfig().ips().isEmpty()) return conf.runtimeConfig().ips();
        if (!conf.args().ips().isEmpty()) return conf.args().ips();
        return args.ips();
    }

    /** Requested MAC: {@code runtimeConfig.mac}, {@code args.cni.mac}, then {@code CNI_ARGS MAC=}. */
    public Optional<String> requestedMac() {
        return conf.runtimeConfig().mac().or(() -> conf.args().mac()).or(args::mac);
    }

    @Override
    public String toString() {
        return "CniRequest[" + command + " cid=" + containerId + " if=" + ifname + " netns=" + netns + " net="
                + conf.name() + " v=" + conf.cniVersion() + " plugin=" + plugin + "]";
    }
}
