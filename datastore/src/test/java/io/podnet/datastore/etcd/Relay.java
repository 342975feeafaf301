package io.podnet.datastore.etcd;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on loopback in front of one etcd endpoint that can be frozen: then it keeps every connection open
 * and accepts new ones, but forwards nothing either way (a black hole: a partitioned network, a dead NAT entry),
 * which no FIN or RST ever reveals.
 */
final class Relay implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean frozen;

    Relay(URI target) throws IOException {
        this.target = new InetSocketAddress(target.getHost(), target.getPort());
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("relay-accept").start(this::accept);
    }

    URI url() { return URI.create("http://127.0.0.1:" + server.getLocalPort()); }

    void freeze() { frozen = true; }

    private void accept() {
        try {
            while (true) {
                Socket in = server.accept();
                sockets.add(in);
                if (frozen) {
                    Thread.ofVirtual().start(() -> pump(in, null));
                    continue;
                }
                Socket out = new Socket(target.getAddress(), target.getPort());
                sockets.add(out);
                Thread.ofVirtual().start(() -> pump(in, out));
                Thread.ofVirtual().start(() -> pump(out, in));
            }
        } catch (IOException closed) {
            // the relay is closing
        }
    }

    /** Copies from {@code from} to {@code to} until frozen; then reads and drops (so nothing ever arrives). */
    private void pump(Socket from, Socket to) {
        byte[] buf = new byte[16384];
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to == null ? null : to.getOutputStream();
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                if (!frozen && out != null) out.write(buf, 0, n);
            }
            if (!frozen && to != null) to.shutdownOutput();
        } catch (IOException gone) {
            // one side closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) s.close();
    }
}
