package io.podnet.bgp.message;

/** One BGP message (RFC 4271 §4). Closed: a new message type must be handled wherever messages are switched on. */
public sealed interface BgpMessage
        permits OpenMessage, UpdateMessage, NotificationMessage, KeepaliveMessage, RouteRefreshMessage {

    /** The header Type field (RFC 4271 §4.1; ROUTE-REFRESH is RFC 2918 §3). */
    int type();

    int TYPE_OPEN = 1;
    int TYPE_UPDATE = 2;
    int TYPE_NOTIFICATION = 3;
    int TYPE_KEEPALIVE = 4;
    int TYPE_ROUTE_REFRESH = 5;
}
