package io.podnet.bgp.speaker;

import io.podnet.net.IpPrefix;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The socket seam under the speaker: blocking TCP connections in both directions. Implementations:
 * {@link TcpTransport} (JDK sockets, or the FFM native socket when a TCP-MD5 password is set), an in-memory
 * transport in tests, and a namespace-switching wrapper in the interop tests.
 */
public interface Transport {
    /** One established TCP connection. Reads and writes block; {@link #close()} unblocks a reader. */
    interface Channel extends Closeable {
        /** Reads up to {@code len} bytes; -1 at end of stream. */
        int read(byte[] b, int off, int len) throws IOException;

        /** Writes all {@code len} bytes. */
        void write(byte[] b, int off, int len) throws IOException;

        InetSocketAddress localAddress();

        InetSocketAddress remoteAddress();

        /**
         * The subnets of the local interface this connection leaves by, if known: a directly connected
         * external peer's NEXT_HOP must be its own address or in one of them (RFC 4271 §5.1.3). Empty when
         * unknown, and then only the peer's own address and third parties are not told apart.
         */
        default List<IpPrefix> localSubnets() { return List.of(); }
    }

    /** A listening socket. */
    interface Listener extends Closeable {
        Channel accept() throws IOException;

        /** Requires TCP-MD5 (RFC 2385) with this key for connections from {@code peer}; false if unsupported. */
        boolean setMd5Key(InetAddress peer, String key) throws IOException;

        InetSocketAddress localAddress();
    }

    Channel connect(InetSocketAddress remote, Optional<InetAddress> local, Optional<String> md5Key, Duration timeout)
            throws IOException;

    /** Listens on {@code local}; {@code md5} says the listener must be able to take TCP-MD5 keys. */
    Listener listen(InetSocketAddress local, boolean md5) throws IOException;
}
