package io.podnet.bgp.speaker;

import java.time.InstantSource;

/**
 * What a speaker runs on, passed in rather than reached for (explicit wiring, time injected): the socket
 * seam, the clock for timestamps, the timer scheduler, and the memory guard.
 *
 * @param transport  connections ({@link TcpTransport}; tests use an in-memory pair)
 * @param clock      timestamps in {@link PeerStatus}
 * @param scheduler  every timer of the speaker
 * @param memory     when to stop the biggest peer because the heap is nearly full ({@link MemoryGuard#none()}: never)
 */
public record SpeakerContext(Transport transport, InstantSource clock, Scheduler scheduler, MemoryGuard memory) {
    public SpeakerContext {
        if (transport == null || clock == null || scheduler == null || memory == null) {
            throw new IllegalArgumentException("transport, clock, scheduler and memory guard are required");
        }
    }

    /** Real time, a timer thread of its own, no memory guard. */
    public static SpeakerContext system(Transport transport) {
        return new SpeakerContext(transport, InstantSource.system(), Scheduler.system(), MemoryGuard.none());
    }

    public SpeakerContext withMemoryGuard(MemoryGuard g) { return new SpeakerContext(transport, clock, scheduler, g); }
}
