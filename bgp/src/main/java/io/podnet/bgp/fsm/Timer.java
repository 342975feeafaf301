package io.podnet.bgp.fsm;

/** The timers of RFC 4271 §8 (§10 gives default values) plus the IdleHoldTimer of §8.1.1 used for automatic restart. */
public enum Timer { CONNECT_RETRY, HOLD, KEEPALIVE, IDLE_HOLD }
