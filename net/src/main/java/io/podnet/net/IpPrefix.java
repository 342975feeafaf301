package io.podnet.net;

/**
 * A network prefix such as {@code 10.244.0.0/16}: the address has no bits set after the prefix length.
 * For an address that carries a prefix length with host bits (an interface address), use {@link Cidr}.
 */
public record IpPrefix(IpAddress address, int length) implements Comparable<IpPrefix> {

    public static final IpPrefix DEFAULT_V4 = parse("0.0.0.0/0");
    public static final IpPrefix DEFAULT_V6 = parse("::/0");

    public IpPrefix {
        if (address == null) throw new IllegalArgumentException("address is required");
        IpAddress.checkLength(address.family(), length);
        if (!address.mask(length).equals(address)) {
            throw new IllegalArgumentException("prefix " + address + "/" + length + " has host bits set (did you mean "
                    + address.mask(length) + "/" + length + "?)");
        }
    }

    /** Parses {@code a.b.c.d/n} or {@code x::/n}; a bare address means a host prefix (/32 or /128). */
    public static IpPrefix parse(String text) {
        if (text == null) throw new IllegalArgumentException("empty prefix");
        int slash = text.indexOf('/');
        if (slash < 0) {
            IpAddress a = IpAddress.parse(text);
            return new IpPrefix(a, a.family().bits());
        }
        IpAddress a = IpAddress.parse(text.substring(0, slash));
        return new IpPrefix(a, parseLength(text, slash));
    }

    static int parseLength(String text, int slash) {
        try {
            return Integer.parseInt(text.substring(slash + 1).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad prefix length in " + text, e);
        }
    }

    /** The prefix of {@code address/length} with host bits cleared. */
    public static IpPrefix of(IpAddress address, int length) {
        return new IpPrefix(address.mask(length), length);
    }

    public static IpPrefix host(IpAddress address) {
        return new IpPrefix(address, address.family().bits());
    }

    public IpFamily family() { return address.family(); }

    public boolean isDefault() { return length == 0; }

    public boolean contains(IpAddress a) {
        return a.family() == family() && a.mask(length).equals(address);
    }

    public boolean contains(IpPrefix p) {
        return p.family() == family() && p.length >= length && contains(p.address);
    }

    public boolean overlaps(IpPrefix p) {
        return contains(p) || p.contains(this);
    }

    public IpAddress first() { return address; }

    public IpAddress last() { return address.lastInPrefix(length); }

    /** Number of addresses, saturated to Long.MAX_VALUE for large IPv6 prefixes. */
    public long size() {
        int hostBits = family().bits() - length;
        return hostBits >= 63 ? Long.MAX_VALUE : 1L << hostBits;
    }

    /** The {@code index}-th subnet of length {@code newLength} inside this prefix. */
    public IpPrefix subnet(int newLength, long index) {
        if (newLength < length || newLength > family().bits()) {
            throw new IllegalArgumentException("subnet length " + newLength + " does not fit in " + this);
        }
        int shift = family().bits() - newLength;
        IpAddress base = address;
        // shift may be >= 64 for IPv6; add in steps of 2^62 to stay in range
        if (shift < 63) {
            return new IpPrefix(base.add(index << shift), newLength);
        }
        throw new IllegalArgumentException("subnet index arithmetic beyond 2^63 not supported");
    }

    @Override
    public int compareTo(IpPrefix o) {
        int c = address.compareTo(o.address);
        return c != 0 ? c : Integer.compare(length, o.length);
    }

    @Override
    public String toString() {
        return address + "/" + length;
    }
}
