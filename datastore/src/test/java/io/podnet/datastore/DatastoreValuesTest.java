package io.podnet.datastore;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.datastore.etcd.EtcdConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DatastoreValuesTest {
    private static final KeyValue KV = new KeyValue("/k", "v".getBytes(UTF_8), 5, 9, 3, 0);

    @Test
    void comparesFollowEtcdSemanticsForAbsentKeys() {
        assertThat(Compare.absent("/k").holdsFor(null)).isTrue();
        assertThat(Compare.absent("/k").holdsFor(KV)).isFalse();
        assertThat(Compare.present("/k").holdsFor(KV)).isTrue();
        assertThat(Compare.modRevisionIs("/k", 9).holdsFor(KV)).isTrue();
        assertThat(Compare.modRevisionIs("/k", 0).holdsFor(null)).isTrue();
        assertThat(Compare.versionIs("/k", 3).holdsFor(KV)).isTrue();
        assertThat(new Compare("/k", Compare.Target.CREATE_REVISION, Compare.Op.LESS, 6).holdsFor(KV)).isTrue();
        assertThat(new Compare("/k", Compare.Target.MOD_REVISION, Compare.Op.GREATER, 9).holdsFor(KV)).isFalse();
        assertThat(new Compare("/k", Compare.Target.VERSION, Compare.Op.NOT_EQUAL, 3).holdsFor(KV)).isFalse();
    }

    @Test
    void transactionsRejectWritingOneKeyTwice() {
        assertThatThrownBy(() -> Txn.batch(List.of(Op.put("/a", new byte[0]), Op.delete("/a"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate key");
        assertThatThrownBy(() -> Op.put("", new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keyValuesAreValuesWithCopiedBytes() {
        byte[] raw = {1, 2};
        KeyValue a = new KeyValue("/k", raw, 1, 1, 1, 0);
        raw[0] = 9;
        assertThat(a.value()).containsExactly(1, 2);
        a.value()[1] = 7;
        assertThat(a).isEqualTo(new KeyValue("/k", new byte[] {1, 2}, 1, 1, 1, 0));
        assertThat(a.hashCode()).isEqualTo(new KeyValue("/k", new byte[] {1, 2}, 1, 1, 1, 0).hashCode());
        assertThat(a.toString()).contains("0102");
    }

    @Test
    void pagesPointPastTheirLastKey() {
        assertThat(new RangePage(List.of(KV), true, 10).nextKey()).contains("/k\0");
        assertThat(new RangePage(List.of(KV), false, 10).nextKey()).isEmpty();
    }

    @Test
    void failedTransactionsThrowConflictOnDemand() throws Exception {
        assertThat(new TxnResult(true, 4).orThrow().revision()).isEqualTo(4);
        assertThatThrownBy(() -> new TxnResult(false, 4).orThrow()).isInstanceOf(ConflictException.class)
                .satisfies(e -> assertThat(((ConflictException) e).revision()).isEqualTo(4));
    }

    @Test
    void etcdConfigRejectsBadInputClearly() {
        assertThatThrownBy(() -> EtcdConfig.of(List.of())).hasMessageContaining("no etcd endpoints");
        assertThatThrownBy(() -> EtcdConfig.of(List.of(URI.create("unix:///run/etcd.sock"))))
                .hasMessageContaining("http(s)://host:port");
        assertThatThrownBy(() -> EtcdConfig.of(List.of(URI.create("http://127.0.0.1"))))
                .hasMessageContaining("http(s)://host:port");
        assertThatThrownBy(() -> EtcdConfig.of(List.of(URI.create("http://127.0.0.1:2379"))).withTimeout(Duration.ZERO))
                .hasMessageContaining("positive");
        assertThatThrownBy(() -> new EtcdConfig.Tls(Path.of("/ca"), Optional.of(Path.of("/c")), Optional.empty()))
                .hasMessageContaining("go together");
        assertThat(EtcdConfig.of(List.of(URI.create("http://127.0.0.1:2379"))).withCredentials("root", "pw")
                .credentials().orElseThrow().toString()).doesNotContain("pw");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(io.podnet.datastore.etcd.EtcdClient.class)
    void unreadableClientCertificateIsATypedError(io.podnet.datastore.etcd.EtcdClient client, @org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path ca = java.nio.file.Files.writeString(dir.resolve("ca.crt"), "not a certificate");
        EtcdConfig c = EtcdConfig.of(List.of(URI.create("https://127.0.0.1:2379")),
                EtcdConfig.Tls.mutual(ca, dir.resolve("missing.crt"), dir.resolve("missing.key")));
        assertThatThrownBy(() -> client.connect(c))
                .isInstanceOf(DatastoreException.class).hasMessageContaining("missing.crt");
        EtcdConfig garbage = EtcdConfig.of(List.of(URI.create("https://127.0.0.1:2379")), EtcdConfig.Tls.ca(ca));
        assertThatThrownBy(() -> client.connect(garbage))
                .isInstanceOf(DatastoreException.class).hasMessageContaining("bad etcd TLS material");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(io.podnet.datastore.etcd.EtcdClient.class)
    void unreadableTlsFilesAreATypedError(io.podnet.datastore.etcd.EtcdClient client) {
        EtcdConfig c = EtcdConfig.of(List.of(URI.create("https://127.0.0.1:2379")),
                EtcdConfig.Tls.ca(Path.of("/nonexistent/podnet-ca.crt")));
        assertThatThrownBy(() -> client.connect(c))
                .isInstanceOf(DatastoreException.class).hasMessageContaining("not readable");
    }
}
