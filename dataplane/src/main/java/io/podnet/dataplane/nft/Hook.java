package io.podnet.dataplane.nft;

/**
 * What makes a chain a base chain: {@code type T hook H priority P; policy X;}. Priorities are numbers (nft's
 * names: {@link #DSTNAT} −100, {@link #FILTER} 0, {@link #SRCNAT} 100), which is also how the kernel reports them.
 */
public record Hook(Type type, Point point, int priority, Policy policy) {
    public static final int DSTNAT = -100;
    public static final int FILTER = 0;
    public static final int SRCNAT = 100;

    /** The chain type. */
    public enum Type { FILTER, NAT, ROUTE }

    /** The netfilter hook. */
    public enum Point { PREROUTING, INPUT, FORWARD, OUTPUT, POSTROUTING }

    /** The base chain's policy. */
    public enum Policy { ACCEPT, DROP }

    public Hook {
        if (type == null || point == null || policy == null) throw new IllegalArgumentException("a hook needs a type, a point and a policy");
    }

    /** {@code type nat hook postrouting priority 100; policy accept;} */
    public static Hook srcnat() { return new Hook(Type.NAT, Point.POSTROUTING, SRCNAT, Policy.ACCEPT); }

    /** {@code type nat hook prerouting priority -100; policy accept;} */
    public static Hook dstnat() { return new Hook(Type.NAT, Point.PREROUTING, DSTNAT, Policy.ACCEPT); }

    /** {@code type nat hook output priority -100; policy accept;} (locally originated traffic to a DNAT target). */
    public static Hook outputDnat() { return new Hook(Type.NAT, Point.OUTPUT, DSTNAT, Policy.ACCEPT); }

    String render() {
        return "type " + lower(type) + " hook " + lower(point) + " priority " + priority + "; policy " + lower(policy) + ";";
    }

    /** The form {@link NftObserved.Chain#hook()} compares: {@code "nat postrouting 100 accept"}. */
    String canonical() {
        return lower(type) + " " + lower(point) + " " + priority + " " + lower(policy);
    }

    static String lower(Enum<?> e) { return e.name().toLowerCase(java.util.Locale.ROOT); }
}
