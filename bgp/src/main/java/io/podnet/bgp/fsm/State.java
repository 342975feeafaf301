package io.podnet.bgp.fsm;

/** Session states of RFC 4271 §8.2.2. */
public enum State { IDLE, CONNECT, ACTIVE, OPEN_SENT, OPEN_CONFIRM, ESTABLISHED }
