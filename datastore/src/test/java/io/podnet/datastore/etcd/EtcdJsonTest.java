package io.podnet.datastore.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.datastore.Compare;
import io.podnet.datastore.Event;
import io.podnet.datastore.KeyValue;
import io.podnet.datastore.Op;
import io.podnet.datastore.RangePage;
import io.podnet.datastore.Txn;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** etcd 3.4.23's gateway answers (captures/etcd-gateway, see PROVENANCE.txt) decode to the datastore's records. */
class EtcdJsonTest {
    private static String capture(String name) {
        try (InputStream in = EtcdJsonTest.class.getResourceAsStream("/captures/etcd-gateway/" + name)) {
            if (in == null) throw new IllegalArgumentException("no capture " + name);
            return new String(in.readAllBytes(), UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonNode json(String name) { return EtcdJson.parse(capture(name).getBytes(UTF_8)); }

    @Test
    void aPageOfARangeCarriesItsKeysMoreAndTheRevision() {
        RangePage page = EtcdJson.rangePage(json("range-page-more.json"), 0);
        assertThat(page.kvs()).containsExactly(new KeyValue("/nodes/n1", "v1".getBytes(UTF_8), 2, 2, 1, 0));
        assertThat(page.more()).isTrue();
        assertThat(page.revision()).isEqualTo(3);
        assertThat(EtcdJson.rangePage(json("range-page-more.json"), 2).revision()).as("read at an old revision").isEqualTo(2);
        assertThat(EtcdJson.first(json("range-empty.json"))).isEmpty();
        assertThat(EtcdJson.rangePage(json("range-empty.json"), 0).more()).as("false is left out").isFalse();
    }

    @Test
    void writesAnswerTheirRevision() {
        assertThat(EtcdJson.revision(json("put.json"))).isEqualTo(2);
        JsonNode ok = json("txn-succeeded.json");
        assertThat(ok.path("succeeded").asBoolean(false)).isTrue();
        assertThat(EtcdJson.revision(ok)).isEqualTo(4);
        JsonNode failed = json("txn-compare-failed.json");
        assertThat(failed.path("succeeded").asBoolean(false)).as("a failed compare leaves succeeded out").isFalse();
        assertThat(EtcdJson.num(json("deleterange-deleted.json"), "deleted")).isEqualTo(1);
        assertThat(EtcdJson.failure(ok)).isEmpty();
    }

    @Test
    void leasesAnswerTheirIdAndTtlAndAGoneLeaseHasNoTtl() {
        JsonNode grant = json("lease-grant.json");
        assertThat(EtcdJson.num(grant, "ID")).isEqualTo(5945211449161431052L);
        assertThat(EtcdJson.num(grant, "TTL")).isEqualTo(30);
        assertThat(EtcdJson.num(json("lease-keepalive.json").path("result"), "TTL")).isEqualTo(30);
        assertThat(EtcdJson.num(json("lease-keepalive-gone.json").path("result"), "TTL")).isZero();
    }

    @Test
    void errorsCarryTheGrpcCodeAndEtcdsText() {
        assertThat(EtcdJson.failure(json("error-lease-not-found.json")))
                .contains(new EtcdJson.Failure(EtcdJson.NOT_FOUND, "etcdserver: requested lease not found"));
        assertThat(EtcdJson.failure(json("error-compacted.json")))
                .contains(new EtcdJson.Failure(EtcdJson.OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted"));
        assertThat(EtcdJson.failure(json("lease-grant.json"))).isEmpty();
    }

    @Test
    void aWatchStreamIsCreatedThenCarriesPutsAndDeletesWithPreviousValues() {
        List<JsonNode> lines = capture("watch-stream-events.jsonl").lines().map(l -> EtcdJson.parse(l.getBytes(UTF_8))).toList();
        assertThat(EtcdJson.watchMessage(lines.get(0))).isEqualTo(new EtcdJson.WatchMessage.Created());
        List<Event> events = ((EtcdJson.WatchMessage.Changes) EtcdJson.watchMessage(lines.get(1))).events();
        assertThat(events).extracting(e -> e.type() + " " + e.key() + "@" + e.revision()).containsExactly(
                "PUT /nodes/n1@2", "PUT /nodes/n2@3", "PUT /nodes/n3@4", "DELETE /nodes/n2@4", "DELETE /nodes/n3@5", "PUT /nodes/n4@6");
        Event delete = events.get(3);
        assertThat(delete.kv()).isEqualTo(new KeyValue("/nodes/n2", new byte[0], 0, 4, 0, 0));
        assertThat(delete.prevKv()).contains(new KeyValue("/nodes/n2", "v2".getBytes(UTF_8), 3, 3, 1, 0));
        assertThat(events.get(0).prevKv()).as("a create has no previous value").isEmpty();
    }

    @Test
    void aWatchFromACompactedRevisionIsCanceledWithTheCompactRevision() {
        List<String> lines = capture("watch-stream-compacted.jsonl").lines().toList();
        assertThat(EtcdJson.watchMessage(EtcdJson.parse(lines.get(1).getBytes(UTF_8))))
                .isEqualTo(new EtcdJson.WatchMessage.Canceled(4, ""));
    }

    @Test
    void aStreamErrorIsAFailure() {
        JsonNode n = EtcdJson.parse("{\"error\":{\"grpc_code\":14,\"http_code\":503,\"message\":\"etcdserver: no leader\",\"http_status\":\"Service Unavailable\"}}"
                .getBytes(UTF_8));
        assertThat(EtcdJson.watchMessage(n)).isEqualTo(new EtcdJson.WatchMessage.Failed(new EtcdJson.Failure(14, "etcdserver: no leader")));
    }

    @Test
    void requestsUseRpcProtosFieldNamesAndBase64() throws IOException {
        String txn = EtcdJson.txn(new Txn(List.of(Compare.absent("/a"), Compare.modRevisionIs("/b", 7)),
                List.of(Op.put("/a", "x".getBytes(UTF_8), 0x2a), Op.delete("/b")), List.of(Op.put("/f", new byte[0]))));
        assertThat(EtcdJson.JSON.readTree(txn)).isEqualTo(EtcdJson.JSON.readTree("""
                {"compare":[{"key":"L2E=","target":"VERSION","result":"EQUAL","version":0},
                            {"key":"L2I=","target":"MOD","result":"EQUAL","mod_revision":7}],
                 "success":[{"request_put":{"key":"L2E=","value":"eA==","lease":42}},{"request_delete_range":{"key":"L2I="}}],
                 "failure":[{"request_put":{"key":"L2Y=","value":""}}]}"""));
        assertThat(EtcdJson.JSON.readTree(EtcdJson.range(EtcdKeys.from(""), EtcdKeys.prefixEnd(""), 500, 9, false)))
                .isEqualTo(EtcdJson.JSON.readTree("{\"key\":\"AA==\",\"range_end\":\"AA==\",\"limit\":500,\"revision\":9}"));
        assertThat(EtcdJson.JSON.readTree(EtcdJson.watch(EtcdKeys.from("/n/"), EtcdKeys.prefixEnd("/n/"), 12)))
                .isEqualTo(EtcdJson.JSON.readTree("{\"create_request\":{\"key\":\"L24v\",\"range_end\":\"L24w\",\"start_revision\":12,\"prev_kv\":true}}"));
    }

    @Test
    void onlyAnswersThatProveNothingWasDoneAreReissued() {
        assertThat(EtcdGateway.notTaken(new EtcdJson.Failure(EtcdJson.UNAVAILABLE, "etcdserver: no leader"))).isTrue();
        assertThat(EtcdGateway.notTaken(new EtcdJson.Failure(1, "grpc: the client connection is closing"))).isTrue();
        assertThat(EtcdGateway.notTaken(new EtcdJson.Failure(EtcdJson.UNAVAILABLE, "etcdserver: request timed out")))
                .as("a proposal that timed out may still be applied").isFalse();
    }

    @Test
    void aPlainTextAnswerIsNotJson() {
        assertThat(EtcdJson.parse("Client sent an HTTP request to an HTTPS server.\n".getBytes(UTF_8))).isNull();
    }
}
