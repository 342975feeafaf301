package io.podnet.datastore.etcd;

import io.podnet.datastore.Datastore;
import io.podnet.datastore.DatastoreContract;
import io.podnet.testkit.EtcdServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The contract against a real etcd 3.4 through its JSON gateway (one throwaway server for the class). */
class EtcdHttpDatastoreIT extends DatastoreContract {
    private static EtcdServer etcd;
    private static EtcdHttpDatastore store;

    @BeforeAll
    static void start() throws Exception {
        etcd = EtcdServer.launch();
        store = EtcdHttpDatastore.connect(EtcdConfig.of(List.of(etcd.clientUrl())).withTimeout(Duration.ofSeconds(30)));
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
