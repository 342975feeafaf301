package io.podnet.rtnetlink;

import java.io.IOException;
import java.util.Optional;

/**
 * The kernel refused a netlink request: the errno (by name) and, when the kernel sent one, the extended ack
 * text, e.g. {@code link add pn1a (veth): EEXIST (File exists)}.
 */
public class NetlinkException extends IOException {
    private final Errno errno;
    private final Optional<String> extAck;
    private final String operation;

    public NetlinkException(Errno errno, Optional<String> extAck, String operation) {
        super(operation + ": " + errno.name() + " (" + errno.description() + ")" + extAck.map(s -> ": " + s).orElse(""));
        this.errno = errno;
        this.extAck = extAck;
        this.operation = operation;
    }

    protected NetlinkException(Errno errno, Optional<String> extAck, String operation, String message) {
        super(message);
        this.errno = errno;
        this.extAck = extAck;
        this.operation = operation;
    }

    public Errno errno() { return errno; }

    public Optional<String> extAck() { return extAck; }

    public String operation() { return operation; }

    /** The object does not exist (ENODEV, ENOENT, ESRCH, EADDRNOTAVAIL). */
    public boolean isNotFound() {
        int c = errno.code();
        return c == Errno.ENODEV.code() || c == Errno.ENOENT.code() || c == Errno.ESRCH.code() || c == Errno.EADDRNOTAVAIL.code();
    }

    /** The object already exists (EEXIST). */
    public boolean isExists() { return errno.code() == Errno.EEXIST.code(); }
}
