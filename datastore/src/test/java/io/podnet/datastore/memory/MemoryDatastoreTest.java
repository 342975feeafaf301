package io.podnet.datastore.memory;

import io.podnet.datastore.Datastore;
import io.podnet.datastore.DatastoreContract;
import io.podnet.testkit.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

class MemoryDatastoreTest extends DatastoreContract {
    private final ManualClock clock = new ManualClock();
    private MemoryDatastore store;

    @BeforeEach
    void open() {
        store = new MemoryDatastore(clock);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Override
    protected Datastore store() { return store; }

    @Override
    protected Duration leaseTtl() { return Duration.ofSeconds(10); }

    @Override
    protected void letLeasesExpire() {
        clock.advance(leaseTtl());
        store.expireLeases();
    }

    @Override
    protected int casRounds() { return 50; }
}
