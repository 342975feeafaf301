/**
 * The running speaker: {@link io.podnet.bgp.speaker.Speaker} (one RIB thread, submit → CompletableFuture),
 * per-peer session shells around the FSM ({@code PeerSession}) and what an Established session does with
 * routes ({@code PeerRouting}, {@code InboundFilter}), the seams it runs on
 * ({@link io.podnet.bgp.speaker.SpeakerContext}: {@link io.podnet.bgp.speaker.Transport},
 * {@link io.podnet.bgp.speaker.Scheduler}, {@link io.podnet.bgp.speaker.MemoryGuard}), UPDATE packing, peer
 * configuration and status.
 * <pre>
 *  socket ─► reader ─► decode ─► RIB thread: FSM ─► PeerRouting: RFC 7606 treatment, AFI/SAFI disable,
 *                                                    InboundFilter (families, next hop), prefix limit ─► Rib
 *  Rib changes ─► export ─► UpdatePacker ─► writer ─► socket;   between batches: MemoryGuard
 * </pre>
 */
package io.podnet.bgp.speaker;
