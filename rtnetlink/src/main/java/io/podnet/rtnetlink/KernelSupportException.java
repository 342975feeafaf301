package io.podnet.rtnetlink;

import java.util.Optional;

/**
 * The running kernel lacks a feature a request needs, typically a module (ipip, gre, wireguard) that is not
 * built or cannot be loaded. The message names the feature, e.g. "kernel has no ipip support".
 */
public final class KernelSupportException extends NetlinkException {
    private final String feature;

    public KernelSupportException(String feature, Errno errno, Optional<String> extAck, String operation) {
        super(errno, extAck, operation, operation + ": kernel has no " + feature + " support (module " + feature
                + " not available: " + errno.name() + extAck.map(s -> ", " + s).orElse("") + ")");
        this.feature = feature;
    }

    public String feature() { return feature; }
}
