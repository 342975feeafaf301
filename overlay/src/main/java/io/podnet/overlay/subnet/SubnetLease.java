package io.podnet.overlay.subnet;

import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;

/**
 * A node's subnet lease: the subnet, its attributes, the datastore lease id (0 = permanent reservation)
 * and the key's mod revision.
 */
public record SubnetLease(IpPrefix subnet, LeaseAttrs attrs, long leaseId, long modRevision) {

    /** {@code 10.5.52.0/24} ⇄ {@code 10.5.52.0-24}, flannel's key form. */
    public static String keyName(IpPrefix subnet) {
        return subnet.address() + "-" + subnet.length();
    }

    /** Parses a key's last segment; a dual-stack key ({@code a.b.c.d-24&fd00::-64}) yields its IPv4 part. */
    public static IpPrefix parseKeyName(String name) {
        String v4 = name.contains("&") ? name.substring(0, name.indexOf('&')) : name;
        int dash = v4.lastIndexOf('-');
        if (dash < 0) throw new IllegalArgumentException("not a subnet key: " + name);
        return new IpPrefix(IpAddress.parse(v4.substring(0, dash)), Integer.parseInt(v4.substring(dash + 1)));
    }

    /** The first usable address (the gateway pods use; FLANNEL_SUBNET's address). */
    public IpAddress gateway() { return subnet.address().next(); }
}
