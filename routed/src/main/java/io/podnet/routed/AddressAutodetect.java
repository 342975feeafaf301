package io.podnet.routed;

import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Calico's node address autodetection ({@code IP_AUTODETECTION_METHOD}): which of the node's addresses becomes
 * {@code spec.bgp.ipv4Address} (with its prefix length, as Calico stores it).
 * <ul>
 *   <li>{@code first-found}: the first global address on an interface not in Calico's default exclude list
 *       (docker, cbr, dummy, virbr, lxcbr, veth, lo, cali, tunl, flannel, kube-ipvs, cni, vxlan.calico, ...)</li>
 *   <li>{@code interface=REGEX[,REGEX]}: the first address on an interface whose whole name matches</li>
 *   <li>{@code skip-interface=REGEX[,REGEX]}: first-found, also skipping these</li>
 *   <li>{@code cidr=CIDR[,CIDR]}: the first address inside one of them</li>
 *   <li>{@code can-reach=DEST}: the source address the kernel picks toward DEST (an IP; resolved by the caller)</li>
 * </ul>
 * Pure: the interfaces and the route lookup come in as arguments.
 */
public final class AddressAutodetect {
    /** Calico's {@code DEFAULT_INTERFACES_TO_EXCLUDE}. */
    static final List<Pattern> DEFAULT_EXCLUDE = compile(List.of("docker.*", "cbr.*", "dummy.*", "virbr.*", "lxcbr.*", "veth.*", "lo",
            "cali.*", "tunl.*", "flannel.*", "kube-ipvs.*", "cni.*", "vxlan.calico.*", "vxlan-v6.calico.*", "wireguard.cali.*",
            "wg-v6.cali.*", "nodelocaldns.*", "podman.*", "br-.*"));

    /** One interface and its addresses, in the kernel's order. */
    public record Interface(String name, List<Cidr> addresses) {
        public Interface {
            addresses = List.copyOf(addresses);
        }
    }

    /** A parsed method; {@link #parse} names what is wrong with a bad one. */
    public sealed interface Method {
        record FirstFound() implements Method {}

        record InterfaceMatch(List<Pattern> patterns) implements Method {}

        record SkipInterface(List<Pattern> patterns) implements Method {}

        record CidrMatch(List<IpPrefix> cidrs) implements Method {}

        record CanReach(String destination) implements Method {}
    }

    private AddressAutodetect() {}

    /** Parses Calico's method syntax; {@code field} names the config field in errors. */
    public static Method parse(String field, String text) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty() || t.equals("first-found")) return new Method.FirstFound();
        int eq = t.indexOf('=');
        if (eq < 0) throw bad(field, text, "expected first-found, interface=, skip-interface=, cidr= or can-reach=");
        String kind = t.substring(0, eq);
        String arg = t.substring(eq + 1).strip();
        if (arg.isEmpty()) throw bad(field, text, kind + "= needs a value");
        try {
            return switch (kind) {
                case "interface" -> new Method.InterfaceMatch(compile(List.of(arg.split(","))));
                case "skip-interface" -> new Method.SkipInterface(compile(List.of(arg.split(","))));
                case "cidr" -> {
                    List<IpPrefix> cidrs = new ArrayList<>();
                    for (String c : arg.split(",")) cidrs.add(IpPrefix.parse(c.strip()));
                    yield new Method.CidrMatch(cidrs);
                }
                case "can-reach" -> new Method.CanReach(arg);
                default -> throw bad(field, text, "unknown method \"" + kind + "\"");
            };
        } catch (PatternSyntaxException e) {
            throw bad(field, text, "bad regular expression: " + e.getDescription());
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(field)) throw e;
            throw bad(field, text, e.getMessage());
        }
    }

    /**
     * The address {@code m} picks among {@code interfaces} for {@code family}; {@code routeSource} answers
     * {@code can-reach} (the source address toward a destination, if any route).
     */
    public static Optional<Cidr> detect(Method m, IpFamily family, List<Interface> interfaces, Function<String, Optional<IpAddress>> routeSource) {
        return switch (m) {
            case Method.FirstFound _ -> first(family, interfaces, i -> !matchesAny(DEFAULT_EXCLUDE, i.name()), a -> true);
            case Method.SkipInterface s -> first(family, interfaces,
                    i -> !matchesAny(DEFAULT_EXCLUDE, i.name()) && !matchesAny(s.patterns(), i.name()), a -> true);
            case Method.InterfaceMatch im -> first(family, interfaces, i -> matchesAny(im.patterns(), i.name()), a -> true);
            case Method.CidrMatch cm -> first(family, interfaces, i -> true, a -> cm.cidrs().stream().anyMatch(p -> p.contains(a.address())));
            case Method.CanReach cr -> routeSource.apply(cr.destination()).filter(src -> src.family() == family)
                    .flatMap(src -> first(family, interfaces, i -> true, a -> a.address().equals(src)));
        };
    }

    private static Optional<Cidr> first(IpFamily family, List<Interface> interfaces, java.util.function.Predicate<Interface> iface,
                                        java.util.function.Predicate<Cidr> addr) {
        for (Interface i : interfaces) {
            if (!iface.test(i)) continue;
            for (Cidr a : i.addresses()) {
                if (a.family() != family || !usable(a.address())) continue;
                if (addr.test(a)) return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** Not loopback, link-local or unspecified: an address other nodes can reach. */
    static boolean usable(IpAddress a) {
        java.net.InetAddress i = a.toInetAddress();
        return !(i.isLoopbackAddress() || i.isLinkLocalAddress() || i.isAnyLocalAddress() || i.isMulticastAddress());
    }

    private static boolean matchesAny(List<Pattern> ps, String name) {
        for (Pattern p : ps) if (p.matcher(name).matches()) return true;
        return false;
    }

    private static List<Pattern> compile(List<String> regexes) {
        return regexes.stream().map(String::strip).map(Pattern::compile).toList();
    }

    private static IllegalArgumentException bad(String field, String text, String why) {
        return new IllegalArgumentException(field + ": \"" + text + "\": " + why);
    }
}
