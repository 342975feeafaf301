package io.podnet.overlay.subnet;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.datastore.etcd.EtcdConfig;
import io.podnet.datastore.etcd.EtcdDatastore;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.testkit.EtcdServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Subnet leases against a real etcd (Debian's etcd-server), as flannel uses them. */
class SubnetLeaseEtcdIT {
    static EtcdServer etcd;

    @BeforeAll
    static void start() {
        etcd = EtcdServer.launch();
    }

    @AfterAll
    static void stop() {
        if (etcd != null) etcd.close();
    }

    static EtcdDatastore connect() throws Exception {
        return EtcdDatastore.connect(EtcdConfig.of(List.of(etcd.clientUrl())));
    }

    @Test
    void twentyAgentsAcquireConcurrentlyAndGetTwentyDistinctSubnets() throws Exception {
        // written exactly as flannel's docs show, with etcdctl
        etcd.etcdctl("put", "/c20/network/config", "{ \"Network\": \"10.20.0.0/16\", \"SubnetMin\": \"10.20.1.0\", \"SubnetMax\": \"10.20.30.0\", \"Backend\": { \"Type\": \"vxlan\" } }");
        ExecutorService pool = Executors.newFixedThreadPool(20);
        List<EtcdDatastore> stores = new ArrayList<>();
        try {
            List<Future<SubnetLease>> results = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                EtcdDatastore s = connect();
                stores.add(s);
                SubnetManager m = new SubnetManager(s, "/c20/network", new SplittableRandom(i % 3), SubnetManager.LEASE_TTL);
                LeaseAttrs attrs = new LeaseAttrs(IpAddress.parse("192.168.20." + i), "vxlan", Optional.empty(), 1);
                results.add(pool.submit(() -> m.acquire(attrs, Optional.empty())));
            }
            Set<IpPrefix> subnets = new HashSet<>();
            for (Future<SubnetLease> f : results) subnets.add(f.get().subnet());
            assertThat(subnets).hasSize(20);
            assertThat(etcd.etcdctl("get", "/c20/network/subnets/", "--prefix", "--keys-only").lines().filter(l -> !l.isBlank()).count()).isEqualTo(20);
            // the lease TTL is flannel's 24 h
            SubnetLease any = new SubnetManager(stores.getFirst(), "/c20/network", new SplittableRandom(), SubnetManager.LEASE_TTL).leases().getFirst();
            assertThat(etcd.etcdctl("lease", "timetolive", Long.toHexString(any.leaseId()))).containsPattern("granted with TTL\\(86400s\\)");
        } finally {
            pool.shutdownNow();
            stores.forEach(EtcdDatastore::close);
        }
    }

    @Test
    void renewalKeepsAShortLeaseAliveAndExpiryRemovesIt() throws Exception {
        etcd.etcdctl("put", "/cexp/network/config", "{\"Network\":\"10.21.0.0/16\",\"Backend\":{\"Type\":\"host-gw\"}}");
        try (EtcdDatastore s = connect()) {
            SubnetManager m = new SubnetManager(s, "/cexp/network", new SplittableRandom(), Duration.ofSeconds(2));
            List<LeaseWatcher.LeaseEvent> events = new CopyOnWriteArrayList<>();
            SubnetLease kept = m.acquire(new LeaseAttrs(IpAddress.parse("192.168.21.1"), "host-gw", Optional.empty(), 0), Optional.empty());
            SubnetLease dropped = m.acquire(new LeaseAttrs(IpAddress.parse("192.168.21.2"), "host-gw", Optional.empty(), 0), Optional.empty());
            try (LeaseWatcher w = LeaseWatcher.start(m, events::addAll, new io.podnet.dataplane.fake.ManualScheduler(java.time.InstantSource.system()))) {
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (!events.contains(new LeaseWatcher.LeaseEvent.Removed(dropped.subnet())) && System.nanoTime() < deadline) {
                    m.renew(kept);
                    Thread.sleep(300);
                }
                assertThat(events).contains(new LeaseWatcher.LeaseEvent.Removed(dropped.subnet()));
                assertThat(w.leases()).containsOnlyKeys(kept.subnet());
            }
        }
    }
}
