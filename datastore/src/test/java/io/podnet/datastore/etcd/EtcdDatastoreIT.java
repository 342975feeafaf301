package io.podnet.datastore.etcd;

import io.podnet.datastore.Datastore;
import io.podnet.datastore.DatastoreContract;
import io.podnet.testkit.EtcdServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The contract against a real etcd 3.4 (one throwaway server for the class). */
class EtcdDatastoreIT extends DatastoreContract {
    private static EtcdServer etcd;
    private static EtcdDatastore store;

    @BeforeAll
    static void start() throws Exception {
        etcd = EtcdServer.launch();
        store = EtcdDatastore.connect(EtcdConfig.of(List.of(etcd.clientUrl())).withTimeout(Duration.ofSeconds(30)));
    }

    @AfterAll
    static void stop() {
        if (store != null) store.close();
        if (etcd != null) etcd.close();
    }

    @Override
    protected Datastore store() { return store; }

    @Override
    protected Duration leaseTtl() { return Duration.ofSeconds(2); }

    @Override
    protected void letLeasesExpire() {
        // real time passes; the test polls with a deadline
    }
}
