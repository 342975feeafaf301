package io.podnet.bgp.fsm;

import io.podnet.bgp.message.MalformedMessageException;
import io.podnet.bgp.message.NotificationMessage;
import io.podnet.bgp.message.OpenMessage;
import io.podnet.bgp.message.RouteRefreshMessage;
import io.podnet.bgp.message.UpdateMessage;

/** FSM input events, named and numbered after RFC 4271 §8.1. */
public sealed interface Event {
    /** Event 1. */
    record ManualStart() implements Event {}
    /** Event 2. */
    record ManualStop() implements Event {}
    /** Event 3: the automatic restart after the IdleHoldTimer (§8.1.1). */
    record AutomaticStart() implements Event {}
    /**
     * Event 8: the local system stops the session on its own, e.g. when the peer sent more prefixes than
     * allowed (RFC 4486 §4) or the speaker ran short of memory; {@code cease} is the NOTIFICATION to send. Like
     * ManualStop the session does not restart by itself: the shell decides when to start it again.
     */
    record AutomaticStop(NotificationMessage cease) implements Event {}
    /** Event 5. */
    record ManualStartWithPassiveTcpEstablishment() implements Event {}
    /** Event 9. */
    record ConnectRetryTimerExpires() implements Event {}
    /** Event 10. */
    record HoldTimerExpires() implements Event {}
    /** Event 11. */
    record KeepaliveTimerExpires() implements Event {}
    /** Event 13. */
    record IdleHoldTimerExpires() implements Event {}
    /** Event 16: our outgoing connection completed. */
    record TcpCrAcked() implements Event {}
    /** Event 17: a connection from the peer was accepted. */
    record TcpConnectionConfirmed() implements Event {}
    /** Event 18. */
    record TcpConnectionFails() implements Event {}
    /** Event 19: a valid OPEN arrived. */
    record BgpOpen(OpenMessage open) implements Event {}
    /** Event 21: a message header was malformed. */
    record BgpHeaderErr(MalformedMessageException error) implements Event {}
    /** Event 22: an OPEN was malformed. */
    record BgpOpenMsgErr(MalformedMessageException error) implements Event {}
    /** Event 23: collision detection (§6.8) chose to close this connection. */
    record OpenCollisionDump() implements Event {}
    /** Event 25 (event 24 is the same for version errors). */
    record NotifMsg(NotificationMessage notification) implements Event {}
    /**
     * A NOTIFICATION that could not be decoded. The peer is closing anyway, and RFC 4271 §6.4 forbids
     * answering a NOTIFICATION with one: handled as event 25 without a NOTIFICATION.
     */
    record NotifMsgErr(MalformedMessageException error) implements Event {}
    /** Event 26. */
    record KeepAliveMsg() implements Event {}
    /** Event 27. */
    record UpdateMsg(UpdateMessage update) implements Event {}
    /** Event 28: an UPDATE whose RFC 7606 treatment is session reset. */
    record UpdateMsgErr(MalformedMessageException error) implements Event {}
    /** ROUTE-REFRESH received (RFC 2918 §4); not numbered in RFC 4271. */
    record RouteRefreshMsg(RouteRefreshMessage request) implements Event {}
}
