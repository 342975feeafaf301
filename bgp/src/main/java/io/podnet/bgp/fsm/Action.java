package io.podnet.bgp.fsm;

import io.podnet.bgp.message.BgpMessage;
import java.time.Duration;

/** What the FSM asks its shell to do; the shell performs I/O and timers, the FSM stays pure. */
public sealed interface Action {
    /** Open a TCP connection to the peer (§8.2.2 Idle → Connect). */
    record ConnectTcp() implements Action {}
    /** Close the TCP connection. */
    record DropTcp() implements Action {}
    record Send(BgpMessage message) implements Action {}
    record StartTimer(Timer timer, Duration after) implements Action {}
    record StopTimer(Timer timer) implements Action {}
    /** The session reached Established with these negotiated parameters. */
    record SessionUp(Negotiated negotiated) implements Action {}
    /** An Established session went down; {@code reason} says why (for logs and counters). */
    record SessionDown(String reason, boolean notificationExchanged) implements Action {}
    /** An UPDATE or ROUTE-REFRESH for the RIB. */
    record Deliver(BgpMessage message) implements Action {}
}
