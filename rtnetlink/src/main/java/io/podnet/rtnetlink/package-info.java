/**
 * The typed rtnetlink API. A {@link io.podnet.rtnetlink.Rtnetlink} handle is bound to one network namespace
 * (its socket is opened inside it once, then used from any thread); operations are grouped as
 * {@code links()}, {@code addresses()}, {@code routes()}, {@code neighbors()}, {@code fdb()}, {@code sysctls()}.
 * Each operation's Javadoc gives its iproute2 equivalent. Errors are {@link io.podnet.rtnetlink.NetlinkException}
 * (errno name + the kernel's extended ack text); lookups return {@code Optional}.
 * <pre>
 *   Rtnetlink.open(ns) ─▶ NetlinkSocket (opened in ns on a platform thread)
 *        links().add(attrs, kind) ─▶ LinkCodec.encode ─▶ request+ACK ─▶ NetlinkException on error
 *        routes().list(table)     ─▶ RouteCodec dump  ─▶ retried when the dump was interrupted
 *   subscribe(groups, listener) ─▶ Subscription: link/address/route/neighbour events (KernelEvent) on a platform
 *                                thread, devices named; subscribeLinks(listener) for link events only
 *   Namespaces.runIn(ns, task) / Namespaces.pool(home, n).call(ns, task) ─▶ the only places setns happens
 *   LinkReaper.open(ns, n)    ─▶ delete(name) returns once the link is unregistered (its RTM_DELLINK event),
 *                                the kernel's RCU teardown finishing on the reaper's own sockets
 * </pre>
 */
package io.podnet.rtnetlink;
