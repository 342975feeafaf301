package io.podnet.dataplane;

import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import java.io.IOException;
import java.time.InstantSource;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Accept rules for pod traffic in the iptables {@code filter FORWARD} chain (IPv4 and IPv6), so that pods keep
 * reaching each other and the world through this node when another program set that chain's policy to DROP:
 * dockerd does so whenever it starts, and so do many host firewalls. An accept in podnet's own nft table could not
 * help: a packet accepted by one base chain still passes every other chain of the hook, and a drop there is final;
 * only a rule in the dropping chain itself lets it through (what flannel's {@code FLANNEL-FWD} and Calico's
 * {@code cali-FORWARD} do). Rules are appended, after what the administrator or dockerd put first
 * ({@code DOCKER-USER} stays in charge).
 * <pre>{@code
 * dp.forward().acceptPods("cni/pods", List.of(IpPrefix.parse("10.22.0.0/24")));
 * //   -A FORWARD -s 10.22.0.0/24 -m comment --comment podnet:pods -j ACCEPT
 * //   -A FORWARD -d 10.22.0.0/24 -m comment --comment podnet:pods -j ACCEPT
 * }</pre>
 *
 * <p><b>Complicating factors.</b>
 * <ul>
 * <li>No events: nobody tells podnet that {@code iptables -F FORWARD} ran or dockerd restarted, so the periodic
 *     resync (which lists the chain) repairs it.</li>
 * <li>The chain is shared with everyone: podnet owns only rules carrying its comment ({@link ForwardRule#COMMENT})
 *     and leaves the policy and every other rule alone.</li>
 * <li>A node without iptables has no filter chain that could drop forwarded traffic (dockerd needs iptables), so
 *     there the table has nothing to do.</li>
 * </ul>
 */
public final class ForwardTable extends TrackedTable<ForwardRule, Boolean> {
    private static final System.Logger LOG = System.getLogger(ForwardTable.class.getName());
    private volatile boolean toldNoIptables;

    public ForwardTable(Kernel kernel, InstantSource clock) {
        super(kernel, clock, new DeltaTracker<>());
    }

    @Override
    public String name() { return "filter FORWARD"; }

    @Override
    public Stage stage() { return Stage.NFT; }

    /** {@code owner}'s pod prefixes are exactly {@code prefixes}: traffic from and to each is accepted. */
    public void acceptPods(String owner, Collection<IpPrefix> prefixes) {
        Map<ForwardRule, Boolean> all = new HashMap<>();
        for (IpPrefix p : prefixes) {
            all.put(new ForwardRule(p, true), Boolean.TRUE);
            all.put(new ForwardRule(p, false), Boolean.TRUE);
        }
        replaceOwned(owner, all);
    }

    /** {@code owner} also wants traffic from and to {@code prefix} accepted (its other prefixes stay). */
    public void acceptPod(String owner, IpPrefix prefix) {
        desire(owner, new ForwardRule(prefix, true), Boolean.TRUE);
        desire(owner, new ForwardRule(prefix, false), Boolean.TRUE);
    }

    /** {@code owner} no longer wants {@code prefix} accepted. */
    public void removePod(String owner, IpPrefix prefix) {
        undesire(owner, new ForwardRule(prefix, true));
        undesire(owner, new ForwardRule(prefix, false));
    }

    /** The prefixes whose traffic is accepted (for tests and reports). */
    public java.util.Set<IpPrefix> acceptedPrefixes() {
        return withTracker(t -> t.desiredView().keySet().stream().map(ForwardRule::prefix)
                .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new)));
    }

    @Override
    protected Map<ForwardRule, Boolean> listOwned() throws IOException {
        Map<ForwardRule, Boolean> out = new HashMap<>();
        for (IpFamily f : IpFamily.values()) {
            Optional<java.util.Set<ForwardRule>> rules = kernel.listForwardRules(f);
            if (rules.isPresent()) {
                rules.get().forEach(r -> out.put(r, Boolean.TRUE));
            } else {
                // no iptables for this family: nothing can drop, so what is wanted counts as in place
                if (!toldNoIptables) {
                    toldNoIptables = true;
                    LOG.log(System.Logger.Level.INFO, "no iptables in {0}: no filter FORWARD chain to keep pod traffic accepted in", kernel.namespace());
                }
                withTracker(t -> t.desiredView()).keySet().stream().filter(r -> r.prefix().family() == f).forEach(r -> out.put(r, Boolean.TRUE));
            }
        }
        return out;
    }

    @Override
    protected void program(ForwardRule rule, Boolean value) throws IOException {
        kernel.addForwardRule(rule);
    }

    @Override
    protected void unprogram(ForwardRule rule, Boolean observed) throws IOException {
        kernel.deleteForwardRule(rule);
    }

    @Override
    protected String describe(ForwardRule rule, Boolean value) {
        return "FORWARD " + String.join(" ", rule.args());
    }
}
