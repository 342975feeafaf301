package io.podnet.rtnetlink;

import java.io.IOException;

/** A failed libc call: the call's name and the errno it set. */
public class SyscallException extends IOException {
    private final Errno errno;
    private final String call;

    public SyscallException(String call, Errno errno, String detail) {
        super(call + ": " + errno.name() + " (" + errno.description() + ")" + (detail == null ? "" : ": " + detail));
        this.errno = errno;
        this.call = call;
    }

    public Errno errno() { return errno; }

    public String call() { return call; }
}
