/**
 * Kernel state as desired state → diff → apply (STYLE.md rules 2–4). Inputs (lease watches, BGP best paths,
 * CNI requests) only call {@code set…}/{@code remove…} on a table; the reconcile loop programs the kernel.
 * <pre>
 *  inputs ──set…/remove…──► LinkSet / AddressSet / NeighborTable / FdbTable / RouteTable (thread-safe)
 *                                │ onDirty → Reconciler.wake()
 *                                ▼
 *  Reconciler thread ── runOnce(): for tables in Stage order (LINKS → ADDRESSES → NEIGHBORS → ROUTES → NFT)
 *                                │   table.apply():
 *                                │     resync pending? list owned kernel objects → DeltaTracker.replaceAllDataplane
 *                                │     pending deletions → Kernel.delete…   (not-found counts as done)
 *                                │     pending updates   → Kernel.replace…/append…
 *                                │     failure → entry stays pending, resync + retry after exponential backoff
 *                                ▼
 *                          Kernel  ── RtnetlinkKernel (one Rtnetlink handle = one namespace)
 *                                  └─ fake.FakeKernel (tests: simulated state, failNext(op, errno), call counts)
 *  Scheduler + InstantSource: periodic full resync (~60 s ± jitter) and backoff retries wake the loop.
 *  Rtnetlink.subscribeLinks → Reconciler.interfaceChanged(dev): tables re-program state on that device.
 * </pre>
 * Ownership (what a resync may delete): routes carrying the table's {@code rtm_protocol} (98, PODNET) or on an
 * owned interface prefix; permanent neighbours and FDB entries with a remote {@code dst} on owned devices;
 * non-link-local addresses on owned devices; links with desired names or owned name prefixes.
 */
package io.podnet.dataplane;
