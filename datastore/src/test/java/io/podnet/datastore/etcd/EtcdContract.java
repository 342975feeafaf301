package io.podnet.datastore.etcd;

import io.podnet.datastore.Datastore;
import io.podnet.datastore.DatastoreContract;
import io.podnet.testkit.EtcdServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** The contract against a real etcd 3.4 through one of the clients (one throwaway server for the class). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EtcdContract extends DatastoreContract {
    private final EtcdClient client;
    private EtcdServer etcd;
    private Datastore store;

    EtcdContract(EtcdClient client) {
        this.client = client;
    }

    @BeforeAll
    void start() throws Exception {
        etcd = EtcdServer.launch();
        store = client.connect(EtcdConfig.of(List.of(etcd.clientUrl())).withTimeout(Duration.ofSeconds(30)));
    }

    @AfterAll
    void stop() {
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
