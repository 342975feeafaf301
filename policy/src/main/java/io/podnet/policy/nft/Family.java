package io.podnet.policy.nft;

/** The nftables address families podnet uses: {@code inet} (IPv4 and IPv6 hooks) and {@code bridge}. */
public enum Family {
    INET("inet"), BRIDGE("bridge");

    private final String text;

    Family(String text) { this.text = text; }

    /** The family as nft spells it. */
    public String text() { return text; }

    @Override public String toString() { return text; }
}
