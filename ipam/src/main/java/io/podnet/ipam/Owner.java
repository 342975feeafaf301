package io.podnet.ipam;

/**
 * Who holds a reservation: a container id and interface name, stored as {@code <containerID>\r\n<ifname>}.
 * Legacy host-local files carry only the container id; they are read with an empty ifname.
 */
public record Owner(String containerId, String ifname) {
    public Owner {
        if (containerId == null || containerId.isEmpty()) throw new IllegalArgumentException("owner container id is empty");
        if (containerId.contains("\n") || containerId.contains("\r")) throw new IllegalArgumentException("container id contains a line break");
        ifname = ifname == null ? "" : ifname;
        if (ifname.contains("\n") || ifname.contains("\r")) throw new IllegalArgumentException("ifname contains a line break");
    }

    /** Whether a reservation owned by {@code this} belongs to {@code who} (a legacy id-only file matches any ifname). */
    public boolean matches(Owner who) {
        return containerId.equals(who.containerId) && (ifname.isEmpty() || ifname.equals(who.ifname));
    }

    /** The file content host-local writes. */
    public String fileContent() {
        return ifname.isEmpty() ? containerId : containerId + "\r\n" + ifname;
    }

    /** Parses file content; trailing whitespace is ignored. */
    public static Owner parse(String content) {
        String t = content.strip();
        int nl = t.indexOf('\n');
        if (nl < 0) return new Owner(t, "");
        return new Owner(t.substring(0, nl).strip(), t.substring(nl + 1).strip());
    }

    @Override
    public String toString() {
        return containerId + "/" + ifname;
    }
}
