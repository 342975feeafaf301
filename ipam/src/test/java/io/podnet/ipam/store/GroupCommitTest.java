package io.podnet.ipam.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GroupCommitTest {

    @Test
    void writersThatQueueDuringASyncShareTheNextOne() throws Exception {
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        GroupCommit gc = new GroupCommit(() -> {
            if (runs.incrementAndGet() == 1) {
                firstStarted.countDown();
                await(releaseFirst);
            }
        });
        try (ExecutorService pool = Executors.newFixedThreadPool(9)) {
            long first = gc.ticket();
            Future<?> leader = pool.submit(() -> { gc.await(first); return null; });
            assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
            List<Future<?>> queued = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                long t = gc.ticket(); // issued while the first sync runs: not covered by it
                queued.add(pool.submit(() -> { gc.await(t); return null; }));
            }
            releaseFirst.countDown();
            leader.get(10, TimeUnit.SECONDS);
            for (Future<?> f : queued) f.get(10, TimeUnit.SECONDS);
        }
        assertThat(runs.get()).as("one sync for the first writer, one for the eight that queued").isEqualTo(2);
        assertThat(gc.syncs()).isEqualTo(2);
    }

    @Test
    void aFailedSyncFailsItsTicketsAndALaterSuccessCoversNewOnes() throws Exception {
        AtomicBoolean fail = new AtomicBoolean(true);
        GroupCommit gc = new GroupCommit(() -> {
            if (fail.get()) throw new IOException("disk gone");
        });
        long t1 = gc.ticket();
        assertThatThrownBy(() -> gc.await(t1)).isInstanceOf(IOException.class).hasMessageContaining("disk gone");
        fail.set(false);
        long t2 = gc.ticket();
        gc.await(t2);
        gc.await(t1); // covered by the later successful sync, which started after it
        assertThat(gc.syncs()).isEqualTo(2);
    }

    @Test
    void aTicketAlreadyCoveredDoesNotSyncAgain() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        GroupCommit gc = new GroupCommit(runs::incrementAndGet);
        long a = gc.ticket();
        long b = gc.ticket();
        gc.await(b);
        gc.await(a);
        assertThat(runs.get()).isEqualTo(1);
    }

    private static void await(CountDownLatch l) {
        try {
            l.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
