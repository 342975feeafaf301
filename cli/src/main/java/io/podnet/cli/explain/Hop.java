package io.podnet.cli.explain;

/** One step of a packet's path: where it happened (a namespace), what kind of step, what explain found. */
public record Hop(String ns, Kind kind, String text, Status status) {

    /** What a hop looked at. */
    public enum Kind { ROUTE, NEIGH, LINK, BRIDGE, FDB, TUNNEL, LEASE, NFT, FORWARDING, RP_FILTER, MTU, DELIVER, UNDERLAY }

    /** OK: passes; NOTE: passes, but worth knowing; STOP: the packet ends here; UNCERTAIN: explain cannot tell. */
    public enum Status { OK, NOTE, STOP, UNCERTAIN }

    public String render(int index) {
        String mark = switch (status) {
            case OK -> " ";
            case NOTE -> "!";
            case STOP -> "✗";
            case UNCERTAIN -> "?";
        };
        return String.format("%3d %s %-10s %-11s %s", index, mark, ns, kind.name().toLowerCase().replace('_', '-'), text);
    }
}
