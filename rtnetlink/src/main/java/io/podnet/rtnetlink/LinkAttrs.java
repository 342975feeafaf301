package io.podnet.rtnetlink;

import io.podnet.net.MacAddress;
import java.util.Optional;
import java.util.OptionalInt;

/** Generic attributes for creating a link: its name and optionally MTU, MAC, master and admin state ({@link #up()}). */
public record LinkAttrs(String name, OptionalInt mtu, Optional<MacAddress> mac, Optional<String> master, boolean adminUp) {

    public LinkAttrs {
        Links.checkName(name);
        if (mtu == null) mtu = OptionalInt.empty();
        if (mac == null) mac = Optional.empty();
        if (master == null) master = Optional.empty();
    }

    public static LinkAttrs named(String name) {
        return new LinkAttrs(name, OptionalInt.empty(), Optional.empty(), Optional.empty(), false);
    }

    public LinkAttrs mtu(int mtu) { return new LinkAttrs(name, OptionalInt.of(mtu), mac, master, adminUp); }

    public LinkAttrs mac(MacAddress m) { return new LinkAttrs(name, mtu, Optional.of(m), master, adminUp); }

    public LinkAttrs master(String m) { return new LinkAttrs(name, mtu, mac, Optional.of(m), adminUp); }

    public LinkAttrs up() { return new LinkAttrs(name, mtu, mac, master, true); }
}
