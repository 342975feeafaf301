package io.podnet.cni.result;

import java.util.Optional;

/**
 * A result interface. {@code sandbox} is the netns path, empty for host interfaces. {@code mtu},
 * {@code socketPath} and {@code pciID} exist from 1.1.0 on and are dropped when writing older versions.
 */
public record CniInterface(String name, String mac, String sandbox, Optional<Integer> mtu, Optional<String> socketPath,
                           Optional<String> pciId) {
    public CniInterface {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("interface name is required");
        mac = mac == null ? "" : mac;
        sandbox = sandbox == null ? "" : sandbox;
        if (mtu.isPresent() && mtu.get() < 0) throw new IllegalArgumentException("mtu must be unsigned");
    }

    public static CniInterface of(String name, String mac, String sandbox) {
        return new CniInterface(name, mac, sandbox, Optional.empty(), Optional.empty(), Optional.empty());
    }
}
