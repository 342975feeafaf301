package io.podnet.policy.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.net.IpPrefix;
import io.podnet.policy.model.Action;
import io.podnet.policy.model.CalicoPolicy;
import io.podnet.policy.model.Direction;
import io.podnet.policy.model.FieldError;
import io.podnet.policy.model.GlobalNetworkSet;
import io.podnet.policy.model.InvalidResourceException;
import io.podnet.policy.model.K8sNetworkPolicy;
import io.podnet.policy.model.Namespace;
import io.podnet.policy.model.PortSpec;
import io.podnet.policy.model.Protocol;
import io.podnet.policy.model.Resource;
import io.podnet.policy.model.WorkloadEndpoint;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ResourceDecoderTest {
    private static final String K8S = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n";
    private static final String CNP = "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n";
    private static final String GNP = "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: g}\nspec:\n";

    static Resource one(String yaml) throws InvalidResourceException {
        List<Resource> r = ResourceDecoder.decode(yaml, "default");
        assertThat(r).hasSize(1);
        return r.getFirst();
    }

    @Test
    void defaultsPolicyTypesAsKubernetesDoes() throws Exception {
        K8sNetworkPolicy onlyIngress = (K8sNetworkPolicy) one(K8S + "  podSelector: {}\n  ingress: [{}]\n");
        assertThat(onlyIngress.policyTypes()).containsExactly(Direction.INGRESS);
        K8sNetworkPolicy withEgress = (K8sNetworkPolicy) one(K8S + "  podSelector: {}\n  egress: [{}]\n");
        assertThat(withEgress.policyTypes()).containsExactlyInAnyOrder(Direction.INGRESS, Direction.EGRESS);
        K8sNetworkPolicy emptyEgress = (K8sNetworkPolicy) one(K8S + "  podSelector: {}\n  egress: []\n");
        assertThat(emptyEgress.policyTypes()).containsExactly(Direction.INGRESS);
        K8sNetworkPolicy explicit = (K8sNetworkPolicy) one(K8S + "  podSelector: {}\n  policyTypes: [Egress]\n");
        assertThat(explicit.policyTypes()).containsExactly(Direction.EGRESS);
        assertThat(explicit.egress()).isEmpty();
    }

    @Test
    void defaultsCalicoTypesFromTheRules() throws Exception {
        assertThat(((CalicoPolicy) one(CNP + "  selector: all()\n")).types()).containsExactly(Direction.INGRESS);
        assertThat(((CalicoPolicy) one(CNP + "  egress: [{action: Allow}]\n")).types()).containsExactly(Direction.EGRESS);
        assertThat(((CalicoPolicy) one(CNP + "  ingress: [{action: Deny}]\n  egress: [{action: Allow}]\n")).types())
                .containsExactlyInAnyOrder(Direction.INGRESS, Direction.EGRESS);
    }

    @Test
    void readsKubernetesPortsPeersAndBlocks() throws Exception {
        K8sNetworkPolicy p = (K8sNetworkPolicy) one(K8S + """
                  podSelector: {matchLabels: {app: web}}
                  ingress:
                  - from:
                    - ipBlock: {cidr: 10.0.0.7/8, except: [10.1.0.0/16]}
                    - podSelector: {}
                      namespaceSelector: {matchExpressions: [{key: team, operator: NotIn, values: [a, b]}]}
                    ports:
                    - {port: 80}
                    - {protocol: UDP, port: 8000, endPort: 8100}
                    - {protocol: SCTP, port: http-alt}
                    - {protocol: UDP}
                """);
        K8sNetworkPolicy.PolicyRule r = p.ingress().getFirst();
        assertThat(r.peers().get(0)).isEqualTo(new K8sNetworkPolicy.IpBlock(IpPrefix.parse("10.0.0.0/8"), List.of(IpPrefix.parse("10.1.0.0/16"))));
        assertThat(r.peers().get(1)).isInstanceOf(K8sNetworkPolicy.PodPeer.class);
        assertThat(r.ports()).containsExactly(
                new K8sNetworkPolicy.Port(Protocol.TCP, java.util.Optional.of(PortSpec.Range.single(80))),
                new K8sNetworkPolicy.Port(Protocol.UDP, java.util.Optional.of(new PortSpec.Range(8000, 8100))),
                new K8sNetworkPolicy.Port(Protocol.SCTP, java.util.Optional.of(new PortSpec.Named("http-alt"))),
                new K8sNetworkPolicy.Port(Protocol.UDP, java.util.Optional.empty()));
    }

    @Test
    void readsCalicoRulesPortsAndIcmp() throws Exception {
        CalicoPolicy p = (CalicoPolicy) one(GNP + """
                  order: 20.5
                  selector: role == 'db'
                  namespaceSelector: has(team)
                  ingress:
                  - action: allow
                    protocol: TCP
                    source: {nets: [10.0.0.1, 192.168.0.0/16], namespaceSelector: global()}
                    destination: {ports: [80, "8000:8080", http], notPorts: [8081]}
                  - action: Deny
                    protocol: 1
                    icmp: {type: 8}
                    notICMP: {type: 8, code: 1}
                """);
        assertThat(p.isGlobal()).isTrue();
        assertThat(p.order().getAsDouble()).isEqualTo(20.5);
        var allow = p.ingress().getFirst();
        assertThat(allow.action()).isEqualTo(Action.ALLOW);
        assertThat(allow.source().nets()).containsExactly(IpPrefix.parse("10.0.0.1/32"), IpPrefix.parse("192.168.0.0/16"));
        assertThat(allow.destination().ports()).containsExactly(PortSpec.Range.single(80), new PortSpec.Range(8000, 8080), new PortSpec.Named("http"));
        assertThat(p.ingress().get(1).protocol()).contains(Protocol.ICMP);
        assertThat(p.ingress().get(1).notIcmp().orElseThrow().code().getAsInt()).isEqualTo(1);
    }

    @Test
    void readsSeveralDocumentsJsonArraysAndLists() throws Exception {
        String yaml = """
                apiVersion: v1
                kind: Namespace
                metadata: {name: x, labels: {team: a}}
                ---
                apiVersion: projectcalico.org/v3
                kind: GlobalNetworkSet
                metadata: {name: s, labels: {feed: f}}
                spec: {nets: [198.51.100.0/24]}
                ---
                apiVersion: v1
                kind: List
                items:
                - apiVersion: projectcalico.org/v3
                  kind: WorkloadEndpoint
                  metadata: {name: w, labels: {pod: a}}
                  spec: {node: n1, interfaceName: cali1, ipNetworks: [10.0.0.1/32], ports: [{name: web, protocol: TCP, port: 80}]}
                """;
        List<Resource> r = ResourceDecoder.decode(yaml, "ns1");
        assertThat(r).hasSize(3);
        assertThat(r.get(0)).isEqualTo(new Namespace("x", java.util.Map.of("team", "a")));
        assertThat(r.get(1)).isInstanceOf(GlobalNetworkSet.class);
        WorkloadEndpoint w = (WorkloadEndpoint) r.get(2);
        assertThat(w.namespace()).isEqualTo("ns1");
        assertThat(w.ports().getFirst().port()).isEqualTo(80);
        String json = "[{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"a\"}},"
                + "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"b\"}}]";
        assertThat(ResourceDecoder.decode(json, "default")).hasSize(2);
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("bad selector syntax", CNP + "  selector: role = 'db'\n", "spec.selector", "bad selector"),
                Arguments.of("global() outside a rule namespaceSelector", CNP + "  selector: global()\n", "spec.selector", "global() can only be used"),
                Arguments.of("port out of range", K8S + "  ingress: [{ports: [{port: 70000}]}]\n", "spec.ingress[0].ports[0].port", "between 1 and 65535"),
                Arguments.of("port zero", K8S + "  ingress: [{ports: [{port: 0}]}]\n", "spec.ingress[0].ports[0].port", "between 1 and 65535"),
                Arguments.of("endPort below port", K8S + "  egress: [{ports: [{port: 80, endPort: 79}]}]\n", "spec.egress[0].ports[0].endPort", "greater than or equal to `port`"),
                Arguments.of("endPort out of range", K8S + "  egress: [{ports: [{port: 80, endPort: 65536}]}]\n", "spec.egress[0].ports[0].endPort", "between 1 and 65535"),
                Arguments.of("named port with endPort", K8S + "  ingress: [{ports: [{port: http, endPort: 90}]}]\n", "spec.ingress[0].ports[0].endPort", "non-numeric"),
                Arguments.of("endPort without port", K8S + "  ingress: [{ports: [{endPort: 90}]}]\n", "spec.ingress[0].ports[0].endPort", "`port` is not specified"),
                Arguments.of("bad port name", K8S + "  ingress: [{ports: [{port: Http_1}]}]\n", "spec.ingress[0].ports[0].port", "lower case"),
                Arguments.of("port name without a letter", K8S + "  ingress: [{ports: [{port: '8080'}]}]\n", "spec.ingress[0].ports[0].port", "at least one letter"),
                Arguments.of("unknown K8s protocol", K8S + "  ingress: [{ports: [{protocol: ICMP}]}]\n", "spec.ingress[0].ports[0].protocol", "Unsupported value"),
                Arguments.of("unknown policyType", K8S + "  policyTypes: [Inbound]\n", "spec.policyTypes[0]", "Unsupported value"),
                Arguments.of("empty peer", K8S + "  ingress: [{from: [{}]}]\n", "spec.ingress[0].from[0]", "must specify a peer"),
                Arguments.of("ipBlock with a selector", K8S + "  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]}]\n", "spec.ingress[0].from[0]", "may not specify both"),
                Arguments.of("except not inside cidr", K8S + "  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/16]}}]}]\n", "spec.ingress[0].from[0].ipBlock.except[0]", "strict subset"),
                Arguments.of("bad cidr", K8S + "  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/33}}]}]\n", "spec.ingress[0].from[0].ipBlock.cidr", "valid CIDR"),
                Arguments.of("In without values", K8S + "  podSelector: {matchExpressions: [{key: a, operator: In}]}\n", "spec.podSelector.matchExpressions[0].values", "Required value"),
                Arguments.of("Exists with values", K8S + "  podSelector: {matchExpressions: [{key: a, operator: Exists, values: [x]}]}\n", "spec.podSelector.matchExpressions[0].values", "Forbidden"),
                Arguments.of("unknown selector operator", K8S + "  podSelector: {matchExpressions: [{key: a, operator: Equals, values: [x]}]}\n", "spec.podSelector.matchExpressions[0].operator", "not a valid selector operator"),
                Arguments.of("bad label key", K8S + "  podSelector: {matchLabels: {'-bad': x}}\n", "spec.podSelector.matchLabels.-bad", "label key"),
                Arguments.of("bad label value", K8S + "  podSelector: {matchLabels: {app: 'a b'}}\n", "spec.podSelector.matchLabels.app", "label value"),
                Arguments.of("unknown action", CNP + "  ingress: [{action: Reject}]\n", "spec.ingress[0].action", "unknown action"),
                Arguments.of("missing action", CNP + "  ingress: [{protocol: TCP}]\n", "spec.ingress[0].action", "Required value"),
                Arguments.of("ports without protocol", CNP + "  ingress: [{action: Allow, destination: {ports: [80]}}]\n", "spec.ingress[0].destination.ports", "require protocol"),
                Arguments.of("Calico port range reversed", CNP + "  ingress: [{action: Allow, protocol: TCP, destination: {ports: ['90:80']}}]\n", "spec.ingress[0].destination.ports[0]", "greater than maximum"),
                Arguments.of("Calico port out of range", CNP + "  ingress: [{action: Allow, protocol: UDP, destination: {ports: [65536]}}]\n", "spec.ingress[0].destination.ports[0]", "0-65535"),
                Arguments.of("icmp without ICMP protocol", CNP + "  ingress: [{action: Allow, protocol: TCP, icmp: {type: 8}}]\n", "spec.ingress[0].icmp", "ICMP or ICMPv6"),
                Arguments.of("icmp code without type", CNP + "  ingress: [{action: Allow, protocol: ICMP, icmp: {code: 1}}]\n", "spec.ingress[0].icmp.code", "without an ICMP type"),
                Arguments.of("icmp type out of range", CNP + "  ingress: [{action: Allow, protocol: ICMP, icmp: {type: 255}}]\n", "spec.ingress[0].icmp.type", "0-254"),
                Arguments.of("unknown Calico protocol", CNP + "  ingress: [{action: Allow, protocol: QUIC}]\n", "spec.ingress[0].protocol", "must be one of"),
                Arguments.of("ipVersion against a net", CNP + "  ingress: [{action: Allow, ipVersion: 6, source: {nets: [10.0.0.0/8]}}]\n", "spec.ingress[0].source.nets", "ipVersion is 6"),
                Arguments.of("ICMP with ipVersion 6", CNP + "  ingress: [{action: Allow, ipVersion: 6, protocol: ICMP}]\n", "spec.ingress[0].protocol", "requires ipVersion 4"),
                Arguments.of("bad rule selector", CNP + "  ingress: [{action: Allow, source: {selector: 'a ==='}}]\n", "spec.ingress[0].source.selector", "bad selector"),
                Arguments.of("unsupported tier", CNP + "  tier: security\n", "spec.tier", "default tier"),
                Arguments.of("unsupported http match", CNP + "  ingress: [{action: Allow, http: {methods: [GET]}}]\n", "spec.ingress[0].http", "not supported"),
                Arguments.of("unsupported doNotTrack", GNP + "  doNotTrack: true\n  applyOnForward: true\n", "spec.doNotTrack", "not supported"),
                Arguments.of("namespaceSelector on a namespaced policy", CNP + "  namespaceSelector: all()\n", "spec.namespaceSelector", "unknown field"),
                Arguments.of("unknown spec field", K8S + "  podSelectors: {}\n", "spec.podSelectors", "unknown field"),
                Arguments.of("order not a number", CNP + "  order: first\n", "spec.order", "must be a number"),
                Arguments.of("missing name", "apiVersion: v1\nkind: Namespace\nmetadata: {}\n", "metadata.name", "Required"),
                Arguments.of("bad name", "apiVersion: v1\nkind: Namespace\nmetadata: {name: Not_OK}\n", "metadata.name", "DNS label"),
                Arguments.of("unknown kind", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n", "apiVersion", "unsupported"),
                Arguments.of("namespace on a global kind", GNP.replace("{name: g}", "{name: g, namespace: x}"), "metadata.namespace", "not namespaced"),
                Arguments.of("endpoint without node", "apiVersion: projectcalico.org/v3\nkind: WorkloadEndpoint\nmetadata: {name: w}\nspec: {interfaceName: c1}\n", "spec.node", "Required"),
                Arguments.of("bad network set net", "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata: {name: s}\nspec: {nets: [10.0.0.0/40]}\n", "spec.nets[0]", "valid CIDR"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void refusals(String what, String yaml, String field, String problem) {
        assertThatThrownBy(() -> ResourceDecoder.decode(yaml, "default"))
                .isInstanceOfSatisfying(InvalidResourceException.class, e -> {
                    assertThat(e.errors()).extracting(FieldError::field).as(e.getMessage()).contains(field);
                    FieldError err = e.errors().stream().filter(x -> x.field().equals(field)).findFirst().orElseThrow();
                    assertThat(err.problem()).as(e.getMessage()).contains(problem);
                    assertThat(e.getMessage()).contains(field);
                });
    }

    @Test
    void reportsEveryErrorOfAResourceAndNamesIt() {
        assertThatThrownBy(() -> ResourceDecoder.decode(K8S + "  ingress: [{ports: [{port: 70000}, {port: 80, endPort: 1}]}]\n", "default"))
                .isInstanceOfSatisfying(InvalidResourceException.class, e -> {
                    assertThat(e.resource()).isEqualTo("NetworkPolicy x/p");
                    assertThat(e.errors()).extracting(FieldError::field)
                            .containsExactly("spec.ingress[0].ports[0].port", "spec.ingress[0].ports[1].endPort");
                    assertThat(e.getMessage()).startsWith("NetworkPolicy x/p is invalid: spec.ingress[0].ports[0].port: Invalid value: 70000");
                });
    }

    @Test
    void refusesSyntaxErrorsAndDuplicateKeys() {
        assertThatThrownBy(() -> ResourceDecoder.decode("a: [1, 2\n", "default")).isInstanceOf(InvalidResourceException.class)
                .hasMessageContaining("not valid YAML or JSON");
        assertThatThrownBy(() -> ResourceDecoder.decode("apiVersion: v1\nkind: Namespace\nkind: Namespace\nmetadata: {name: a}\n", "default"))
                .isInstanceOf(InvalidResourceException.class).hasMessageContaining("Duplicate");
    }

    @Test
    void roundTripsThroughTheEncoder() throws Exception {
        for (var yaml : List.of("k8s-peers-and-or", "k8s-named-ports", "calico-order-pass-deny", "k8s-egress-ipblock-endport", "bridged-dual-stack")) {
            String text = java.nio.file.Files.readString(java.nio.file.Path.of("src/test/resources/captures/policy", yaml + ".yaml"));
            List<Resource> decoded = ResourceDecoder.decode(text, "default");
            List<Resource> again = ResourceDecoder.decode(ResourceEncoder.toYaml(decoded), "default");
            assertThat(again).as(yaml).isEqualTo(decoded);
            for (Resource r : decoded) assertThat(ResourceDecoder.decode(ResourceEncoder.toJson(r), "default")).containsExactly(r);
        }
        assertThat(Set.of(ResourceEncoder.toYaml(List.of(one(CNP + "  ingress: [{action: Pass}]\n"))).split("\n"))).contains("  - action: Pass");
    }
}
