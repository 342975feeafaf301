package io.podnet.bgp.speaker;

import io.podnet.bgp.md5.NativeSocket;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.util.ArrayList;
import java.util.List;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;

/**
 * TCP through the JDK's blocking {@link SocketChannel}. When a TCP-MD5 key is needed (RFC 2385) the JDK
 * cannot help (it exposes neither the fd nor TCP_MD5SIG), so those sockets are {@link NativeSocket}s made
 * through the FFM API.
 */
public final class TcpTransport implements Transport {

    @Override
    public Channel connect(InetSocketAddress remote, Optional<InetAddress> local, Optional<String> md5Key, Duration timeout)
            throws IOException {
        if (md5Key.isPresent()) return NativeSocket.connect(remote, local, md5Key.get(), timeout);
        SocketChannel ch = SocketChannel.open();
        try {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (local.isPresent()) ch.bind(new InetSocketAddress(local.get(), 0));
            ch.socket().connect(remote, (int) timeout.toMillis());
            return new JdkChannel(ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public Listener listen(InetSocketAddress local, boolean md5) throws IOException {
        if (md5) return NativeSocket.listen(local);
        ServerSocketChannel s = ServerSocketChannel.open();
        try {
            s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            s.bind(local, 64);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return new Listener() {
            @Override
            public Channel accept() throws IOException {
                SocketChannel c = s.accept();
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                return new JdkChannel(c);
            }

            @Override
            public boolean setMd5Key(InetAddress peer, String key) { return false; }

            @Override
            public InetSocketAddress localAddress() {
                try {
                    return (InetSocketAddress) s.getLocalAddress();
                } catch (IOException e) {
                    return local;
                }
            }

            @Override
            public void close() throws IOException { s.close(); }
        };
    }

    /**
     * The subnets of the interface holding {@code local}, read from the JDK's interface list (in the network
     * namespace of the calling thread, so call it where the socket was made); empty if not found.
     */
    public static List<IpPrefix> subnetsOf(InetAddress local) {
        List<IpPrefix> out = new ArrayList<>(2);
        try {
            NetworkInterface nif = NetworkInterface.getByInetAddress(local);
            if (nif == null) return List.of();
            for (InterfaceAddress ia : nif.getInterfaceAddresses()) {
                if (ia.getAddress().getClass() != local.getClass() || ia.getNetworkPrefixLength() < 0) continue;
                out.add(IpPrefix.of(IpAddress.of(ia.getAddress()), ia.getNetworkPrefixLength()));
            }
        } catch (SocketException | IllegalArgumentException e) {
            return List.of();
        }
        return List.copyOf(out);
    }

    /** A blocking JDK socket channel. */
    static final class JdkChannel implements Channel {
        private final SocketChannel ch;
        private final InetSocketAddress local;
        private final InetSocketAddress remote;
        private final List<IpPrefix> subnets;

        JdkChannel(SocketChannel ch) throws IOException {
            this.ch = ch;
            this.local = (InetSocketAddress) ch.getLocalAddress();
            this.remote = (InetSocketAddress) ch.getRemoteAddress();
            this.subnets = subnetsOf(local.getAddress());
        }

        @Override
        public List<IpPrefix> localSubnets() { return subnets; }

        @Override
        public int read(byte[] b, int off, int len) throws IOException { return ch.read(ByteBuffer.wrap(b, off, len)); }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            while (buf.hasRemaining()) ch.write(buf);
        }

        @Override
        public InetSocketAddress localAddress() { return local; }

        @Override
        public InetSocketAddress remoteAddress() { return remote; }

        @Override
        public void close() throws IOException { ch.close(); }
    }
}
