package io.podnet.datastore;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** A watch listener for tests: records every response; waits with a bounded deadline. */
public final class Recorder implements WatchListener {
    private final List<WatchResponse> responses = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    @Override
    public void on(WatchResponse response) {
        threads.add(Thread.currentThread());
        responses.add(response);
    }

    public List<WatchResponse> responses() { return List.copyOf(responses); }

    public List<Event> events() {
        List<Event> out = new ArrayList<>();
        for (WatchResponse r : responses) {
            if (r instanceof WatchResponse.Events e) out.addAll(e.events());
        }
        return out;
    }

    /** Waits until {@code n} events arrived (or fails after {@code timeout}); returns them. */
    public List<Event> awaitEvents(int n, Duration timeout) {
        await(r -> r.events().size() >= n, timeout, () -> "expected " + n + " events, got " + events());
        return events();
    }

    public WatchResponse awaitTerminal(Duration timeout) {
        await(r -> r.responses.stream().anyMatch(x -> !(x instanceof WatchResponse.Events)), timeout,
                () -> "expected a terminal response, got " + responses);
        return responses.stream().filter(x -> !(x instanceof WatchResponse.Events)).findFirst().orElseThrow();
    }

    private void await(Predicate<Recorder> done, Duration timeout, java.util.function.Supplier<String> msg) {
        Instant deadline = Instant.now().plus(timeout);
        while (!done.test(this)) {
            if (Instant.now().isAfter(deadline)) throw new AssertionError(msg.get());
            Thread.onSpinWait();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Polls {@code condition} until true or fails after {@code timeout}. */
    public static void eventually(Duration timeout, String what, Check condition) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.ok()) {
            if (Instant.now().isAfter(deadline)) throw new AssertionError("not within " + timeout + ": " + what);
            Thread.sleep(20);
        }
    }

    /** A condition that may throw. */
    @FunctionalInterface
    public interface Check {
        boolean ok() throws Exception;
    }
}
