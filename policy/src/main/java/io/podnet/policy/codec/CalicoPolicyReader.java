package io.podnet.policy.codec;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import io.podnet.policy.model.Action;
import io.podnet.policy.model.CalicoPolicy;
import io.podnet.policy.model.Direction;
import io.podnet.policy.model.EntityRule;
import io.podnet.policy.model.Icmp;
import io.podnet.policy.model.PortSpec;
import io.podnet.policy.model.Protocol;
import io.podnet.policy.model.Rule;
import io.podnet.selector.Selector;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Reads Calico {@code projectcalico.org/v3} NetworkPolicy and GlobalNetworkPolicy specs with Calico's validation
 * ({@code api/pkg/apis/projectcalico/v3}: actions, protocols, ICMP, ports and named ports, nets, selectors,
 * ipVersion consistency) and its {@code types} defaulting. Fields podnet does not implement (tiers other than
 * {@code default}, HTTP, service and service-account matches, doNotTrack/preDNAT/applyOnForward) are refused by
 * name rather than silently ignored.
 */
final class CalicoPolicyReader {
    private static final Set<String> COMMON = Set.of("tier", "order", "selector", "types", "ingress", "egress",
            "serviceAccountSelector", "performanceHints");
    private static final Set<String> GLOBAL = Set.of("tier", "order", "selector", "types", "ingress", "egress",
            "serviceAccountSelector", "performanceHints", "namespaceSelector", "doNotTrack", "preDNAT", "applyOnForward");

    private CalicoPolicyReader() {}

    static CalicoPolicy read(Optional<String> namespace, String name, Obj spec) {
        int before = spec.errors().size();
        boolean global = namespace.isEmpty();
        spec.only(global ? GLOBAL : COMMON);
        spec.unsupported("serviceAccountSelector", "doNotTrack", "preDNAT", "applyOnForward");
        spec.string("tier").filter(t -> !t.equals("default"))
                .ifPresent(t -> spec.error(spec.child("tier"), spec.raw("tier"), "only the default tier is supported by podnet"));
        OptionalDouble order = OptionalDouble.empty();
        JsonNode o = spec.raw("order");
        if (o != null) {
            if (o.isNumber() && Double.isFinite(o.doubleValue())) order = OptionalDouble.of(o.doubleValue());
            else spec.error(spec.child("order"), o, "must be a number");
        }
        Selector selector = Syntax.selector(spec, "selector", false).orElse(new Selector.All());
        Optional<Selector> nsSelector = global ? Syntax.selector(spec, "namespaceSelector", false) : Optional.empty();
        List<Rule> ingress = spec.objects("ingress", CalicoPolicyReader::rule);
        List<Rule> egress = spec.objects("egress", CalicoPolicyReader::rule);
        Set<Direction> types = Syntax.directions(spec, "types");
        if (types.isEmpty()) types = CalicoPolicy.defaultTypes(ingress, egress);
        if (spec.errors().size() > before) return null;
        return new CalicoPolicy(namespace, name, order, selector, nsSelector, types, ingress, egress);
    }

    static Rule rule(Obj r) {
        int before = r.errors().size();
        r.only(Set.of("action", "ipVersion", "protocol", "notProtocol", "icmp", "notICMP", "source", "destination", "http", "metadata"));
        r.unsupported("http");
        Action action = null;
        if (!r.has("action")) r.error(r.child("action"), "Required value");
        else {
            Optional<String> a = r.string("action");
            if (a.isPresent()) {
                action = Action.parse(a.get());
                if (action == null) r.error(r.child("action"), r.raw("action"), "unknown action: supported values: \"Allow\", \"Deny\", \"Log\", \"Pass\"");
            }
        }
        Optional<IpFamily> ipVersion = Optional.empty();
        JsonNode v = r.raw("ipVersion");
        if (v != null) {
            if (v.isIntegralNumber() && v.asInt() == 4) ipVersion = Optional.of(IpFamily.V4);
            else if (v.isIntegralNumber() && v.asInt() == 6) ipVersion = Optional.of(IpFamily.V6);
            else r.error(r.child("ipVersion"), v, "must be 4 or 6");
        }
        Optional<Protocol> protocol = protocol(r, "protocol");
        Optional<Protocol> notProtocol = protocol(r, "notProtocol");
        Optional<Icmp> icmp = r.object("icmp").flatMap(CalicoPolicyReader::icmp);
        Optional<Icmp> notIcmp = r.object("notICMP").flatMap(CalicoPolicyReader::icmp);
        if ((r.has("icmp") || r.has("notICMP")) && !(protocol.equals(Optional.of(Protocol.ICMP)) || protocol.equals(Optional.of(Protocol.ICMPV6)))) {
            r.error(r.child(r.has("icmp") ? "icmp" : "notICMP"), "ICMP fields require protocol to be ICMP or ICMPv6");
        }
        if (protocol.equals(Optional.of(Protocol.ICMP)) && ipVersion.equals(Optional.of(IpFamily.V6))) r.error(r.child("protocol"), r.raw("protocol"), "protocol ICMP requires ipVersion 4");
        if (protocol.equals(Optional.of(Protocol.ICMPV6)) && ipVersion.equals(Optional.of(IpFamily.V4))) r.error(r.child("protocol"), r.raw("protocol"), "protocol ICMPv6 requires ipVersion 6");
        EntityRule source = r.object("source").map(CalicoPolicyReader::entity).orElse(EntityRule.ANY);
        EntityRule destination = r.object("destination").map(CalicoPolicyReader::entity).orElse(EntityRule.ANY);
        for (String side : List.of("source", "destination")) {
            EntityRule e = side.equals("source") ? source : destination;
            if (e == null) continue;
            boolean ports = !e.ports().isEmpty() || !e.notPorts().isEmpty();
            if (ports && (protocol.isEmpty() || !protocol.get().hasPorts())) {
                r.error(r.child(side) + (e.ports().isEmpty() ? ".notPorts" : ".ports"), "ports require protocol TCP, UDP, SCTP or UDPLite");
            }
            if (ipVersion.isPresent()) {
                for (IpPrefix n : concat(e.nets(), e.notNets())) {
                    if (n.family() != ipVersion.get()) r.error(r.child(side) + ".nets", "\"" + n + "\"", "rule contains an IPv" + (n.family() == IpFamily.V4 ? 4 : 6)
                            + " CIDR but ipVersion is " + (ipVersion.get() == IpFamily.V4 ? 4 : 6));
                }
            }
        }
        if (r.errors().size() > before || source == null || destination == null) return null;
        return new Rule(action, ipVersion, protocol, notProtocol, icmp, notIcmp, source, destination);
    }

    private static List<IpPrefix> concat(List<IpPrefix> a, List<IpPrefix> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    private static Optional<Protocol> protocol(Obj r, String field) {
        JsonNode p = r.raw(field);
        if (p == null) return Optional.empty();
        Protocol proto = p.isIntegralNumber() ? (p.asInt() >= 1 && p.asInt() <= 255 ? new Protocol(p.asInt()) : null)
                : p.isTextual() ? Protocol.parse(p.textValue()) : null;
        if (proto == null) {
            r.error(r.child(field), p, "must be one of \"TCP\", \"UDP\", \"ICMP\", \"ICMPv6\", \"SCTP\", \"UDPLite\" or a number 1-255");
            return Optional.empty();
        }
        return Optional.of(proto);
    }

    private static Optional<Icmp> icmp(Obj o) {
        o.only(Set.of("type", "code"));
        OptionalInt type = intIn(o, "type", 0, 254);
        OptionalInt code = intIn(o, "code", 0, 255);
        if (code.isPresent() && type.isEmpty() && !o.has("type")) {
            o.error(o.child("code"), o.raw("code"), "ICMP code specified without an ICMP type");
            return Optional.empty();
        }
        return type.isPresent() ? Optional.of(new Icmp(type.getAsInt(), code)) : Optional.empty();
    }

    private static OptionalInt intIn(Obj o, String field, int min, int max) {
        JsonNode v = o.raw(field);
        if (v == null) return OptionalInt.empty();
        if (!v.isIntegralNumber() || v.asInt() < min || v.asInt() > max) {
            o.error(o.child(field), v, "must be an integer " + min + "-" + max);
            return OptionalInt.empty();
        }
        return OptionalInt.of(v.asInt());
    }

    private static EntityRule entity(Obj e) {
        int before = e.errors().size();
        e.only(Set.of("nets", "notNets", "selector", "notSelector", "namespaceSelector", "ports", "notPorts", "services", "serviceAccounts"));
        e.unsupported("services", "serviceAccounts");
        List<IpPrefix> nets = e.list("nets", (n, p) -> Syntax.cidr(n, p, true, e.errors()).orElse(null));
        List<IpPrefix> notNets = e.list("notNets", (n, p) -> Syntax.cidr(n, p, true, e.errors()).orElse(null));
        Optional<Selector> sel = Syntax.selector(e, "selector", false);
        Optional<Selector> notSel = Syntax.selector(e, "notSelector", false);
        Optional<Selector> nsSel = Syntax.selector(e, "namespaceSelector", true);
        List<PortSpec> ports = e.list("ports", (n, p) -> port(n, p, e));
        List<PortSpec> notPorts = e.list("notPorts", (n, p) -> port(n, p, e));
        if (e.errors().size() > before) return null;
        return new EntityRule(nets, notNets, sel, notSel, nsSel, ports, notPorts);
    }

    /** Calico's {@code numorstring.Port}: a number, {@code "min:max"}, or a port name. */
    private static PortSpec port(JsonNode n, String path, Obj ctx) {
        if (n.isIntegralNumber()) {
            if (n.asInt() < 0 || n.asInt() > 65535) {
                ctx.error(path, n, "port must be 0-65535");
                return null;
            }
            return PortSpec.Range.single(n.asInt());
        }
        if (!n.isTextual()) {
            ctx.error(path, n, "must be a port number, a range \"min:max\" or a port name");
            return null;
        }
        String s = n.textValue();
        if (s.matches("\\d+")) {
            int p = s.length() > 5 ? Integer.MAX_VALUE : Integer.parseInt(s);
            if (p > 65535) {
                ctx.error(path, n, "port must be 0-65535");
                return null;
            }
            return PortSpec.Range.single(p);
        }
        var m = java.util.regex.Pattern.compile("(\\d{1,5}):(\\d{1,5})").matcher(s);
        if (m.matches()) {
            int lo = Integer.parseInt(m.group(1));
            int hi = Integer.parseInt(m.group(2));
            if (lo > 65535 || hi > 65535) ctx.error(path, n, "port must be 0-65535");
            else if (lo > hi) ctx.error(path, n, "minimum port number (" + lo + ") is greater than maximum port number (" + hi + ") in port range");
            else return new PortSpec.Range(lo, hi);
            return null;
        }
        if (!PortSpec.NAME.matcher(s).matches()) {
            ctx.error(path, n, "invalid name for named port");
            return null;
        }
        return new PortSpec.Named(s);
    }
}
