package io.podnet.calico;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.podnet.datastore.memory.MemoryDatastore;
import io.podnet.testkit.ManualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Keys, stored JSON, CAS on resourceVersion, delete, watch and the multi-document reader. */
class ResourceStoreTest {
    final ManualClock clock = new ManualClock();
    final MemoryDatastore ds = new MemoryDatastore(clock);
    final ResourceStore store = new ResourceStore(ds, "/calico", Kinds.IPAM, clock);

    @Test
    void storesAtCalicosKeysWithCalicosJson() throws Exception {
        IpPool p = store.create(IpPool.of("default-ipv4-ippool", IpPool.Spec.of("192.168.0.0/16").withNatOutgoing(true)));
        String json = ds.get("/calico/resources/v3/projectcalico.org/ippools/default-ipv4-ippool").orElseThrow().valueUtf8();
        var tree = new ObjectMapper().readTree(json);
        assertThat(json).startsWith("{\"kind\":\"IPPool\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"default-ipv4-ippool\"");
        assertThat(tree.path("metadata").has("resourceVersion")).isFalse();
        assertThat(tree.path("metadata").path("uid").asText()).isNotEmpty();
        assertThat(tree.path("metadata").path("creationTimestamp").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(tree.path("spec").toString()).isEqualTo("{\"cidr\":\"192.168.0.0/16\",\"blockSize\":26,\"ipipMode\":\"Never\","
                + "\"vxlanMode\":\"Never\",\"natOutgoing\":true,\"disabled\":false,\"disableBGPExport\":false,\"nodeSelector\":\"all()\","
                + "\"allowedUses\":[\"Workload\",\"Tunnel\"],\"assignmentMode\":\"Automatic\"}");
        assertThat(p.metadata().resourceVersion()).isEqualTo(Long.toString(ds.revision()));
        var wep = new WorkloadEndpoint(new ObjectMeta("n1-k8s-web-eth0", "prod", null, null, null, Map.of(), Map.of()),
                new WorkloadEndpoint.Spec("k8s", "", "n1", "abc", "web", "eth0", List.of("10.0.0.1/32"), null, null));
        store.create(wep);
        assertThat(ds.get("/calico/resources/v3/projectcalico.org/workloadendpoints/prod/n1-k8s-web-eth0")).isPresent();
        store.create(Node.of("n1", Map.of("zone", "a")));
        assertThat(ds.get("/calico/resources/v3/projectcalico.org/nodes/n1").orElseThrow().valueUtf8())
                .contains("\"labels\":{\"zone\":\"a\"}");
    }

    @Test
    void updateIsACasOnResourceVersion() throws Exception {
        Node n = store.create(Node.of("n1", Map.of()));
        Node changed = store.update(n.withMetadata(n.metadata().withLabels(Map.of("a", "1"))));
        assertThatThrownBy(() -> store.update(n)).isInstanceOfSatisfying(ResourceStateException.class,
                e -> assertThat(e.reason()).isEqualTo(ResourceStateException.Reason.MODIFIED)).hasMessageContaining("Node \"n1\"");
        assertThatThrownBy(() -> store.create(Node.of("n1", Map.of()))).hasMessage("Node \"n1\": already exists");
        assertThatThrownBy(() -> store.update(Node.of("n2", Map.of()))).hasMessage("Node \"n2\": does not exist");
        assertThatThrownBy(() -> store.delete(Node.KIND, null, "n1", n.metadata().resourceVersion()))
                .hasMessageContaining("was modified");
        assertThat(store.delete(Node.KIND, null, "n1", changed.metadata().resourceVersion())).isPresent();
    }

    @Test
    void deleteIsIdempotentAndWatchSeesChanges() throws Exception {
        List<ResourceStore.Change<Node>> seen = new ArrayList<>();
        try (var w = store.watch(Node.KIND, 0, c -> { synchronized (seen) { seen.add(c); } }, r -> { })) {
            store.create(Node.of("n1", Map.of()));
            assertThat(store.delete(Node.KIND, null, "n1", null)).isPresent();
            assertThat(store.delete(Node.KIND, null, "n1", null)).isEmpty();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (true) {
                synchronized (seen) { if (seen.size() == 2 || System.nanoTime() > deadline) break; }
                Thread.onSpinWait();
            }
        }
        assertThat(seen).hasSize(2);
        assertThat(seen.get(0).resource()).map(Node::name).contains("n1");
        assertThat(seen.get(1).resource()).isEmpty();
    }

    @Test
    void readsSeveralDocumentsListsAndJson() {
        var reader = new ResourceReader(store.codec());
        String yaml = """
                apiVersion: projectcalico.org/v3
                kind: IPPool
                metadata: {name: a}
                spec: {cidr: 10.1.0.0/16, ipipMode: Always, natOutgoing: true}
                ---
                apiVersion: projectcalico.org/v3
                kind: NodeList
                items:
                - apiVersion: projectcalico.org/v3
                  kind: Node
                  metadata: {name: n1, labels: {zone: a}}
                """;
        List<Resource> rs = reader.read(yaml, "f.yaml");
        assertThat(rs).hasSize(2);
        assertThat(((IpPool) rs.get(0)).spec().ipipMode()).isEqualTo(IpPool.EncapMode.ALWAYS);
        assertThat(((Node) rs.get(1)).labels()).containsEntry("zone", "a");
        assertThat(reader.read("[{\"apiVersion\":\"projectcalico.org/v3\",\"kind\":\"Node\",\"metadata\":{\"name\":\"x\"}}]", "j")).hasSize(1);
    }

    @Test
    void readerErrorsNameTheDocumentKindAndField() {
        var reader = new ResourceReader(store.codec());
        assertThatThrownBy(() -> reader.read("apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: a}\nspec: {cidr: 10.0.0.0/8, ipipMod: Always}\n", "f.yaml"))
                .hasMessage("IPPool \"a\": spec.ipipMod: f.yaml: document 1: unknown field");
        assertThatThrownBy(() -> reader.read("apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: a}\nspec: {cidr: 10.0.0.0/8, vxlanMode: sometimes}\n", "f.yaml"))
                .hasMessageContaining("spec.vxlanMode").hasMessageContaining("\"sometimes\" is not one of Never, Always, CrossSubnet");
        assertThatThrownBy(() -> reader.read("apiVersion: projectcalico.org/v3\nkind: Pod\nmetadata: {name: a}\n---\n", "f.yaml"))
                .hasMessageContaining("kind: f.yaml: document 1: \"Pod\" is not one of IPPool, IPAMConfiguration, Node, WorkloadEndpoint");
        assertThatThrownBy(() -> reader.read("apiVersion: v1\nkind: Node\nmetadata: {name: a}\n", "f.yaml"))
                .hasMessageContaining("apiVersion: f.yaml: document 1: \"v1\" is not projectcalico.org/v3");
        assertThatThrownBy(() -> reader.read("a: [", "f.yaml")).hasMessageStartingWith("f.yaml: not YAML or JSON");
    }

    @Test
    void ipamConfigurationIsASingletonWithBounds() {
        assertThatThrownBy(() -> new IpamConfiguration(ObjectMeta.named("x"), null).validated()).hasMessageContaining("metadata.name: must be \"default\"");
        assertThatThrownBy(() -> new IpamConfiguration(ObjectMeta.named("default"), new IpamConfiguration.Spec(false, true, -1, 0)).validated())
                .hasMessageContaining("spec.maxBlocksPerHost");
        assertThatThrownBy(() -> new IpamConfiguration(ObjectMeta.named("default"), new IpamConfiguration.Spec(false, true, 0, 1201)).validated())
                .hasMessageContaining("spec.ipCooldownSeconds: 1201 is out of range 0-1200");
        assertThat(IpamConfiguration.DEFAULT.autoAllocateBlocks()).isTrue();
    }

    @Test
    void workloadEndpointNamesDoubleDashesAsCalicoDoes() {
        assertThat(WorkloadEndpoint.nameFor("node-1", "k8s", "web-0", "eth0")).isEqualTo("node--1-k8s-web--0-eth0");
    }
}
