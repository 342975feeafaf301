package io.podnet.net;

/**
 * An address with a prefix length, host bits allowed: {@code 10.244.1.5/24} as an interface carries it
 * (what {@code ip addr} prints and CNI results hold).
 */
public record Cidr(IpAddress address, int length) {

    public Cidr {
        if (address == null) throw new IllegalArgumentException("address is required");
        IpAddress.checkLength(address.family(), length);
    }

    public static Cidr parse(String text) {
        if (text == null) throw new IllegalArgumentException("empty CIDR");
        int slash = text.indexOf('/');
        if (slash < 0) throw new IllegalArgumentException("CIDR needs a prefix length: " + text);
        return new Cidr(IpAddress.parse(text.substring(0, slash)), IpPrefix.parseLength(text, slash));
    }

    public IpFamily family() { return address.family(); }

    /** The network this address is on. */
    public IpPrefix prefix() { return IpPrefix.of(address, length); }

    @Override
    public String toString() {
        return address + "/" + length;
    }
}
