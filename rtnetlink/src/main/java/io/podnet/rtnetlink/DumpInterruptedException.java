package io.podnet.rtnetlink;

import java.util.Optional;

/** A dump kept being interrupted by concurrent changes ({@code NLM_F_DUMP_INTR}) after every retry. */
public final class DumpInterruptedException extends NetlinkException {
    public DumpInterruptedException(String operation, int attempts) {
        super(Errno.EINTR, Optional.empty(), operation, operation + ": dump interrupted by concurrent changes " + attempts + " times");
    }
}
