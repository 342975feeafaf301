package io.podnet.bgp.fsm;

import io.podnet.net.IpAddress;

/** Connection collision detection (RFC 4271 §6.8): which of two connections to the same peer to close. */
public final class Collision {
    private Collision() {}

    /** Which connection loses. */
    public enum Loser { LOCALLY_INITIATED, REMOTELY_INITIATED }

    /**
     * RFC 4271 §6.8: "If the value of the local BGP Identifier is less than the remote one, the local system
     * closes the BGP connection that already exists (the one that is already in the OpenConfirm state), and
     * accepts the BGP connection initiated by the remote system" — i.e. the lower identifier keeps the
     * connection the higher one initiated. Identifiers compare as unsigned 32-bit integers.
     */
    public static Loser resolve(IpAddress localId, IpAddress remoteId) {
        return Integer.compareUnsigned(localId.v4Int(), remoteId.v4Int()) < 0
                ? Loser.LOCALLY_INITIATED : Loser.REMOTELY_INITIATED;
    }

    /** True if the locally initiated connection must be closed. */
    public static boolean resolveLocal(IpAddress localId, IpAddress remoteId) {
        return resolve(localId, remoteId) == Loser.LOCALLY_INITIATED;
    }
}
