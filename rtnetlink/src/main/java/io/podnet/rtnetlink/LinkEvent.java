package io.podnet.rtnetlink;

/** A link change seen on the {@code RTNLGRP_LINK} multicast group. */
public sealed interface LinkEvent extends KernelEvent {
    Link link();

    /** RTM_NEWLINK: a link appeared or changed (state, MTU, name, master...). */
    record Updated(Link link) implements LinkEvent {}

    /** RTM_DELLINK: a link went away (deleted or moved to another namespace). */
    record Removed(Link link) implements LinkEvent {}
}
