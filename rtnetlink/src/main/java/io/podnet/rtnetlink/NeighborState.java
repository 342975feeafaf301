package io.podnet.rtnetlink;

/** Neighbour cache state ({@code NUD_*}). */
public enum NeighborState {
    NONE(0), INCOMPLETE(0x1), REACHABLE(0x2), STALE(0x4), DELAY(0x8), PROBE(0x10), FAILED(0x20), NOARP(0x40), PERMANENT(0x80);

    public final int value;

    NeighborState(int v) { this.value = v; }

    public static NeighborState of(int v) {
        for (int i = values().length - 1; i > 0; i--) if ((v & values()[i].value) != 0) return values()[i];
        return NONE;
    }
}
