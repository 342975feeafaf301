package io.podnet.bench.policy;

import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.policy.model.Action;
import io.podnet.policy.model.CalicoPolicy;
import io.podnet.policy.model.Direction;
import io.podnet.policy.model.EntityRule;
import io.podnet.policy.model.K8sNetworkPolicy;
import io.podnet.policy.model.LabelSelector;
import io.podnet.policy.model.NamedPort;
import io.podnet.policy.model.Namespace;
import io.podnet.policy.model.PortSpec;
import io.podnet.policy.model.Protocol;
import io.podnet.policy.model.Resource;
import io.podnet.policy.model.Rule;
import io.podnet.policy.model.WorkloadEndpoint;
import io.podnet.selector.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * A synthetic cluster for the benchmark: {@code namespaces} namespaces, {@code local} endpoints on the measured
 * node and as many on other nodes, spread over 20 apps and 7 roles per namespace; {@code policies} policies, 80 %
 * Kubernetes (ingress from a role in the namespace, from a namespace by label, from an ipBlock with except, on a
 * port, a range or a named port; every fourth also with egress), 15 % Calico NetworkPolicy (order, Deny, Log, ICMP)
 * and 5 % GlobalNetworkPolicy. Deterministic: the same arguments give the same resources.
 */
final class PolicyWorkload {
    final int namespaces;
    final List<Resource> resources = new ArrayList<>();
    final List<WorkloadEndpoint> localEndpoints = new ArrayList<>();
    final List<K8sNetworkPolicy> k8s = new ArrayList<>();

    PolicyWorkload(int local, int policies, int namespaces) {
        this.namespaces = namespaces;
        for (int n = 0; n < namespaces; n++) resources.add(new Namespace(ns(n), Map.of("team", "t" + (n % 5), "env", n % 2 == 0 ? "prod" : "dev")));
        for (int i = 0; i < 2 * local; i++) {
            boolean mine = i < local;
            String node = mine ? "node1" : "node" + (2 + i % 9);
            int n = i % namespaces;
            WorkloadEndpoint e = new WorkloadEndpoint(ns(n), "pod-" + i, node, "cali" + String.format("%07x", i),
                    List.of(IpAddress.v4(0x0a400000 + i + 1)),
                    Map.of("app", "app" + (i / namespaces % 20), "role", "role" + (i / namespaces % 7), "version", "v" + (i % 3)),
                    List.of(new NamedPort("http", Protocol.TCP, 8080 + i % 4), new NamedPort("metrics", Protocol.TCP, 9090)));
            resources.add(e);
            if (mine) localEndpoints.add(e);
        }
        for (int p = 0; p < policies; p++) {
            int n = p % namespaces;
            if (p % 20 < 16) {
                K8sNetworkPolicy k = k8sPolicy(p, ns(n));
                k8s.add(k);
                resources.add(k);
            } else if (p % 20 < 19) {
                resources.add(calicoPolicy(p, ns(n)));
            } else {
                resources.add(globalPolicy(p));
            }
        }
    }

    static String ns(int n) {
        return "ns" + n;
    }

    static K8sNetworkPolicy k8sPolicy(int p, String ns) {
        int k = p / 10; // the policy's index within its namespace
        LabelSelector pods = LabelSelector.ofLabels(Map.of("app", "app" + (k % 20)));
        List<K8sNetworkPolicy.Peer> peers = List.of(
                new K8sNetworkPolicy.PodPeer(Optional.of(LabelSelector.ofLabels(Map.of("role", "role" + (k % 7)))), Optional.empty()),
                new K8sNetworkPolicy.PodPeer(Optional.empty(), Optional.of(LabelSelector.ofLabels(Map.of("team", "t" + (p % 5))))),
                new K8sNetworkPolicy.IpBlock(IpPrefix.parse("172.16.0.0/12"), List.of(IpPrefix.parse("172.16." + (p % 200) + ".0/24"))));
        List<K8sNetworkPolicy.Port> ports = List.of(
                new K8sNetworkPolicy.Port(Protocol.TCP, Optional.of(PortSpec.Range.single(80 + p % 50))),
                new K8sNetworkPolicy.Port(Protocol.TCP, Optional.of(new PortSpec.Range(9000, 9000 + p % 100))),
                new K8sNetworkPolicy.Port(Protocol.TCP, Optional.of(new PortSpec.Named("http"))));
        List<K8sNetworkPolicy.PolicyRule> egress = p % 4 == 0
                ? List.of(new K8sNetworkPolicy.PolicyRule(List.of(new K8sNetworkPolicy.PodPeer(Optional.of(LabelSelector.ofLabels(Map.of("app", "app" + ((k + 1) % 20)))), Optional.empty())),
                        List.of(new K8sNetworkPolicy.Port(Protocol.UDP, Optional.of(PortSpec.Range.single(53))))))
                : List.of();
        return new K8sNetworkPolicy(ns, "knp-" + p, pods, egress.isEmpty() ? Set.of(Direction.INGRESS) : Set.of(Direction.INGRESS, Direction.EGRESS),
                List.of(new K8sNetworkPolicy.PolicyRule(peers, ports)), egress);
    }

    static CalicoPolicy calicoPolicy(int p, String ns) {
        Rule deny = Rule.of(Action.DENY).withSource(EntityRule.ANY.withSelectors(Optional.of(new Selector.Compare("version", Selector.Op.EQ, "v" + (p % 3))), Optional.empty()));
        Rule log = Rule.of(Action.LOG).withProtocol(Protocol.TCP);
        Rule icmp = Rule.of(Action.ALLOW).withProtocol(Protocol.ICMP);
        return new CalicoPolicy(Optional.of(ns), "cnp-" + p, OptionalDouble.of(100 + p % 50), new Selector.Compare("role", Selector.Op.EQ, "role" + (p / 10 % 7)),
                Optional.empty(), Set.of(Direction.INGRESS), List.of(deny, log, icmp), List.of());
    }

    static CalicoPolicy globalPolicy(int p) {
        Rule allowDns = Rule.of(Action.ALLOW).withProtocol(Protocol.UDP).withDestination(EntityRule.ANY.withPorts(List.of(PortSpec.Range.single(53))));
        Rule pass = Rule.of(Action.PASS).withDestination(EntityRule.ANY.withNets(List.of(IpPrefix.parse("10.96.0.0/12")), List.of()));
        return new CalicoPolicy(Optional.empty(), "gnp-" + p, OptionalDouble.of(10 + p % 7), new Selector.Has("app"),
                Optional.of(new Selector.Compare("env", Selector.Op.EQ, p % 2 == 0 ? "prod" : "dev")), Set.of(Direction.EGRESS), List.of(), List.of(allowDns, pass));
    }
}
