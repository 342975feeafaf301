package io.podnet.cni.server;

import io.podnet.cni.CniCommand;
import io.podnet.cni.CniErrorCode;
import io.podnet.cni.CniException;
import io.podnet.cni.CniRequest;
import io.podnet.cni.CniRequestParser;
import io.podnet.cni.config.Json;
import io.podnet.cni.plugin.PluginMain;
import io.podnet.cni.plugin.ShimFrames;
import io.podnet.cni.result.ResultCodec;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Serves the shim protocol ({@link ShimFrames}) on a unix socket that only root can use (mode 0600).
 *
 * <p>Complicating factors: the socket is bound under a temporary name, chmod-ed, then renamed into place so it
 * is never reachable with default permissions; a leftover socket file from a dead agent is replaced, but a live
 * one (connect succeeds) makes {@link #start} fail; requests for the same container id are serialised
 * (runtimes must not overlap them, but a retried ADD after a shim timeout can), others run in parallel, each
 * on its own (pooled) platform thread.
 */
public final class CniServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CniServer.class.getName());

    private final Path socket;
    private final CniHandler handler;
    private final ServerSocketChannel server;
    /**
     * Platform threads, reused (idle ones die after a minute), one per connection in progress. Not virtual
     * threads: handlers spend their time in native netlink calls, which pin a virtual thread's carrier, and a
     * kernel call that sleeps (rtnl_lock, RCU) would then stall every other request on the few carriers —
     * measured: lock holders starved for 20-45 ms with 32 parallel ADDs on 2 CPUs.
     */
    private final ExecutorService workers = Executors.newCachedThreadPool(Thread.ofPlatform().name("podnet-cni-", 0).daemon(true).factory());
    private final KeyedLocks locks = new KeyedLocks();
    private final Thread acceptor;

    private CniServer(Path socket, CniHandler handler, ServerSocketChannel server) {
        this.socket = socket;
        this.handler = handler;
        this.server = server;
        this.acceptor = Thread.ofPlatform().name("podnet-cni-accept").daemon(true).unstarted(this::acceptLoop);
    }

    /** Binds {@code socket} (parent directories created) with mode 0600 and starts serving. */
    public static CniServer start(Path socket, CniHandler handler) throws IOException {
        Path dir = socket.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        replaceStale(socket);
        Path tmp = dir.resolve("." + socket.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        Files.deleteIfExists(tmp);
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(tmp));
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            Files.move(tmp, socket, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(tmp);
            throw e;
        }
        CniServer s = new CniServer(socket, handler, ch);
        s.acceptor.start();
        LOG.log(System.Logger.Level.INFO, "cni server listening socket={0}", socket);
        return s;
    }

    private static void replaceStale(Path socket) throws IOException {
        if (!Files.exists(socket)) return;
        boolean live;
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            live = probe.isConnected();
        } catch (IOException e) {
            live = false;
        }
        if (live) throw new IOException("another agent is already listening on " + socket);
        Files.deleteIfExists(socket);
    }

    public Path socketPath() {
        return socket;
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel c = server.accept();
                workers.execute(() -> serve(c));
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cni accept failed socket={0} reason={1}", socket, e.toString());
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c) {
            ShimFrames.Request req = ShimFrames.readRequest(c);
            CniResponse resp = dispatch(req);
            ShimFrames.writeResponse(c, resp.exitCode(), resp.stdout(), resp.stderr());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "cni connection dropped: {0}", e.toString());
        }
    }

    /** Parses and handles one request; never throws. Visible for tests of the server without a socket. */
    CniResponse dispatch(ShimFrames.Request req) {
        CniRequest request;
        try {
            request = CniRequestParser.parse(req.env, req.stdin);
        } catch (CniException e) {
            return CniResponse.error(e, versionOf(req.stdin));
        }
        if (request.command() == CniCommand.VERSION) {
            return new CniResponse(0, Json.write(ResultCodec.encodeVersionInfo(request.conf().cniVersion())), new byte[0]);
        }
        try {
            return locks.with(request.lockKey(), () -> handler.handle(request));
        } catch (CniException e) {
            return CniResponse.error(e, request.conf().cniVersion());
        } catch (Exception | Error e) {
            LOG.log(System.Logger.Level.ERROR, "cni handler failed request=" + request, e);
            return CniResponse.error(new CniException(CniErrorCode.INTERNAL, "podnet agent failed: " + e, ""),
                    request.conf().cniVersion());
        }
    }

    private static String versionOf(byte[] stdin) {
        try {
            return io.podnet.cni.config.NetConf.decode(stdin).cniVersion();
        } catch (CniException e) {
            return "";
        }
    }

    /** Requests waiting behind another request for the same container id (for tests). */
    int queued(String containerId) {
        return locks.queued(containerId);
    }

    /** Number of container ids with a request in progress (for tests and metrics). */
    public int busyKeys() {
        return locks.size();
    }

    /** Stops accepting, waits up to 10 s for requests in progress, removes the socket file. */
    @Override
    public void close() throws IOException {
        server.close();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(10, TimeUnit.SECONDS)) workers.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(socket);
        LOG.log(System.Logger.Level.INFO, "cni server stopped socket={0}", socket);
    }

    /** The default socket path the shim uses. */
    public static Path defaultSocket() {
        return Path.of(PluginMain.DEFAULT_SOCKET);
    }
}
