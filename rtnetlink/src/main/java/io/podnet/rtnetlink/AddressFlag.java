package io.podnet.rtnetlink;

import io.podnet.rtnetlink.message.Nl;
import java.util.EnumSet;
import java.util.Set;

/** Address flags podnet uses ({@code IFA_F_*}). */
public enum AddressFlag {
    /** Skip IPv6 duplicate address detection (as the CNI bridge plugin does, to avoid ~1 s settle time). */
    NODAD(Nl.IFA_F_NODAD),
    /** Do not add the prefix route the kernel normally adds. */
    NOPREFIXROUTE(Nl.IFA_F_NOPREFIXROUTE),
    PERMANENT(Nl.IFA_F_PERMANENT);

    final int bit;

    AddressFlag(int bit) { this.bit = bit; }

    static int toBits(Set<AddressFlag> flags) {
        int b = 0;
        for (AddressFlag f : flags) b |= f.bit;
        return b;
    }

    static Set<AddressFlag> of(int bits) {
        EnumSet<AddressFlag> s = EnumSet.noneOf(AddressFlag.class);
        for (AddressFlag f : values()) if ((bits & f.bit) != 0) s.add(f);
        return s;
    }
}
