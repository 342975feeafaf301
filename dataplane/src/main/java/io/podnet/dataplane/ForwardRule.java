package io.podnet.dataplane;

import io.podnet.net.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One accept rule podnet keeps in the iptables {@code filter FORWARD} chain: traffic from ({@code source}) or to a
 * pod prefix. In iptables' own words:
 * {@code -A FORWARD -s 10.5.0.0/16 -m comment --comment podnet:pods -j ACCEPT}. The comment marks podnet's rules:
 * only those are listed, deleted and compared.
 */
public record ForwardRule(IpPrefix prefix, boolean source) {
    /** The comment on every podnet rule in the FORWARD chain. */
    public static final String COMMENT = "podnet:pods";

    public ForwardRule {
        Objects.requireNonNull(prefix, "prefix");
    }

    /** The rule's arguments after {@code -A FORWARD} / {@code -D FORWARD}. */
    public List<String> args() {
        return List.of(source ? "-s" : "-d", prefix.toString(), "-m", "comment", "--comment", COMMENT, "-j", "ACCEPT");
    }

    /**
     * The podnet rule in one line of {@code iptables -S FORWARD}, if it is one: a plain {@code -s P} or {@code -d P}
     * with podnet's comment and {@code -j ACCEPT}, nothing else. iptables prints a host prefix with its /32 or /128
     * and the comment in double quotes ({@code --comment "podnet:pods"}).
     */
    public static Optional<ForwardRule> parse(String line) {
        List<String> t = new ArrayList<>();
        for (String w : line.strip().split("\\s+")) t.add(w.length() > 1 && w.startsWith("\"") && w.endsWith("\"") ? w.substring(1, w.length() - 1) : w);
        if (t.size() != 10 || !t.get(0).equals("-A") || !t.get(1).equals("FORWARD")) return Optional.empty();
        List<String> rest = t.subList(2, t.size());
        String dir = rest.get(0);
        if (!dir.equals("-s") && !dir.equals("-d")) return Optional.empty();
        IpPrefix p;
        try {
            p = IpPrefix.parse(rest.get(1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        ForwardRule r = new ForwardRule(p, dir.equals("-s"));
        return r.args().equals(rest) ? Optional.of(r) : Optional.empty();
    }
}
