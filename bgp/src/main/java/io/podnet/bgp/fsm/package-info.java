/**
 * The BGP session FSM (RFC 4271 §8) as a pure object, and collision detection (§6.8).
 * <pre>
 *   Event (RFC 4271 §8.1 names) ──► SessionFsm.on(e) ──► List&lt;Action&gt;
 *        ▲                                                 │ ConnectTcp, DropTcp, Send(msg),
 *        │ timers fire, bytes decode                       │ StartTimer/StopTimer, SessionUp,
 *        └────────────────── session shell ◄───────────────┘ SessionDown, Deliver(update)
 * </pre>
 */
package io.podnet.bgp.fsm;
