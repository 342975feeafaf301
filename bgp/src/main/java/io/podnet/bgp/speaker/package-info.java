/**
 * The running speaker: {@link io.podnet.bgp.speaker.Speaker} (one RIB thread, submit → CompletableFuture),
 * per-peer session shells around the FSM, the {@link io.podnet.bgp.speaker.Transport} socket seam, UPDATE
 * packing, peer configuration and status.
 */
package io.podnet.bgp.speaker;
