/**
 * Routing information bases and route selection: {@link io.podnet.bgp.rib.AdjRibIn},
 * {@link io.podnet.bgp.rib.LocRib}, {@link io.podnet.bgp.rib.AdjRibOut}, the RFC 4271 §9.1
 * {@link io.podnet.bgp.rib.DecisionProcess} as elimination steps, iBGP/eBGP and route-reflection export
 * rules ({@link io.podnet.bgp.rib.ExportRules}, RFC 4456), and {@link io.podnet.bgp.rib.Rib} tying them
 * together. Pure, single-threaded values-in/values-out code; the speaker's RIB thread owns it.
 */
package io.podnet.bgp.rib;
