package io.podnet.overlay.subnet;

import java.io.IOException;

/** Every subnet between SubnetMin and SubnetMax is leased. */
public final class SubnetExhaustedException extends IOException {
    public SubnetExhaustedException(String message) {
        super(message);
    }
}
