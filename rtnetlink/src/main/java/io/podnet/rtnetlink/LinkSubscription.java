package io.podnet.rtnetlink;

import io.podnet.rtnetlink.message.LinkCodec;
import io.podnet.rtnetlink.message.Nl;
import io.podnet.rtnetlink.message.NlMessage;
import io.podnet.rtnetlink.sys.Errno;
import io.podnet.rtnetlink.sys.SyscallException;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A running subscription to link events ({@code ip monitor link}). A dedicated platform thread owns the
 * socket (blocking FFM calls pin a carrier, so never a virtual thread); it polls with a short receive timeout
 * so {@link #close()} returns promptly. Listener exceptions are logged and do not end the subscription, nor does
 * an overflow of the socket's buffer ({@code ENOBUFS}: events were lost).
 */
public final class LinkSubscription implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LinkSubscription.class.getName());
    private final NetlinkSocket socket;
    private final Thread reader;
    private volatile boolean closed;

    private LinkSubscription(NetlinkSocket socket, Consumer<LinkEvent> listener, NetNs ns) {
        this.socket = socket;
        this.reader = Thread.ofPlatform().name("podnet-link-events-" + ns).daemon().unstarted(() -> loop(listener));
    }

    static LinkSubscription start(NetNs ns, Consumer<LinkEvent> listener) throws IOException {
        return start(ns, listener, false);
    }

    /**
     * @param removalsOnly deliver only {@link LinkEvent.Removed}; the others are dropped in the kernel by a socket
     *     filter, so the reader thread is not even woken for them
     */
    static LinkSubscription start(NetNs ns, Consumer<LinkEvent> listener, boolean removalsOnly) throws IOException {
        NetlinkSocket s = ns.isCurrent() ? NetlinkSocket.open(Nl.RTMGRP_LINK) : ns.run(() -> NetlinkSocket.open(Nl.RTMGRP_LINK));
        try {
            s.setReceiveTimeoutMillis(100);
            if (removalsOnly) s.acceptOnly(Nl.RTM_DELLINK);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        LinkSubscription sub = new LinkSubscription(s, listener, ns);
        sub.reader.start();
        return sub;
    }

    private void loop(Consumer<LinkEvent> listener) {
        try {
            while (!closed) {
                List<NlMessage> batch;
                try {
                    batch = socket.receive();
                } catch (SyscallException e) {
                    if (e.errno().code() != Errno.ENOBUFS.code()) throw e;
                    // the kernel dropped events (a burst outran the 1 MiB buffer): keep listening; listeners that
                    // must not miss a change resync periodically (the dataplane's reconcile loop does)
                    LOG.log(System.Logger.Level.DEBUG, "link events lost (ENOBUFS)");
                    continue;
                }
                if (batch == null) continue;
                for (NlMessage m : batch) {
                    LinkEvent e = switch (m.type()) {
                        case Nl.RTM_NEWLINK -> new LinkEvent.Updated(LinkCodec.decode(m, i -> Optional.empty()));
                        case Nl.RTM_DELLINK -> new LinkEvent.Removed(LinkCodec.decode(m, i -> Optional.empty()));
                        default -> null;
                    };
                    if (e == null) continue;
                    try {
                        listener.accept(e);
                    } catch (RuntimeException ex) {
                        LOG.log(System.Logger.Level.WARNING, "link event listener failed: " + ex, ex);
                    }
                }
            }
        } catch (IOException e) {
            if (!closed) LOG.log(System.Logger.Level.WARNING, "link event subscription ended: " + e.getMessage());
        } finally {
            socket.close();
        }
    }

    public boolean isRunning() { return reader.isAlive(); }

    @Override
    public void close() {
        closed = true;
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
