package io.podnet.cnm;

import io.podnet.cnm.state.StateDir;
import io.podnet.dataplane.NodeDataplane;
import io.podnet.rtnetlink.Rtnetlink;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The Docker plugin endpoint: Jetty serving HTTP/1.1 on a unix socket, every POST handed to the
 * {@link Dispatcher}. Docker finds the plugin by the socket's name under {@code /run/docker/plugins}.
 * <p>Complicating factors: Docker sends no Content-Type, an empty {@code Host} (see {@link BlankHostFix}) and
 * empty bodies for Activate and GetCapabilities;
 * a socket file left by a killed predecessor is removed when nobody answers on it (one that answers is
 * refused: two drivers on one socket would split the state); the socket is mode 0600 from the moment it has its
 * name; a body over {@link #MAX_BODY} is refused with 413 and {@code {"Err": ...}} without being read in full.
 */
public final class CnmServer implements AutoCloseable {
    static final String MEDIA_TYPE = "application/vnd.docker.plugins.v1.2+json";
    private static final System.Logger LOG = System.getLogger(CnmServer.class.getName());
    private final Server jetty;
    private final IpamDriver ipam;
    private final NetworkDriver net;
    private final Path socket;
    /** Largest request body read; Docker's biggest (CreateEndpoint with many port mappings) is a few KiB. */
    static final int MAX_BODY = 1 << 20;
    /** How much of a refused body is read and dropped so the 413 reaches the client; beyond it the connection closes. */
    static final long DRAIN_LIMIT = 64L << 20;
    /**
     * Jetty's request threads: dockerd sends a few requests at a time, so 2 stay (Jetty's acceptor and selector
     * hold one each while serving) and up to 16 in a burst, instead of Jetty's default 8 kept and 200 at most. The
     * queue is a plain LinkedBlockingQueue: Jetty's own BlockingArrayQueue pulls in java.management and JFR (~250
     * JDK classes, through MemoryUtils) just to learn the cache line size (bench/README.md "Agent memory").
     */
    static final int MIN_THREADS = 2;
    static final int MAX_THREADS = 16;

    private CnmServer(Server jetty, IpamDriver ipam, NetworkDriver net, Path socket) {
        this.jetty = jetty;
        this.ipam = ipam;
        this.net = net;
        this.socket = socket;
    }

    /**
     * Loads the state, restores its bridges, ports and nft chains as desired state in {@code dp} (start the node's
     * dataplane after this, so its first pass sees them), and starts serving on {@code config.socket()}.
     *
     * @param host the host namespace's netlink handle (IPAM looks at its routes for free default pools)
     * @param dp   the node's dataplane in the same namespace: bridges, veths, sysctls and the {@code cnm_*} chains
     */
    public static CnmServer start(CnmConfig config, Rtnetlink host, NodeDataplane dp) throws IOException {
        StateDir state = new StateDir(config.stateDir(), config.fsync());
        IpamDriver ipam = new IpamDriver(config, state, host);
        NetworkDriver net = new NetworkDriver(config, state, dp);
        net.restore();
        Dispatcher d = new Dispatcher(net, ipam);
        prepareSocket(config.socket());
        // Bound under a temporary name, made 0600, then renamed into place: the socket is never reachable with the
        // umask's mode (root's dockerd is the only client that may drive the driver).
        Path tmp = config.socket().toAbsolutePath().resolveSibling("." + config.socket().getFileName() + ".tmp-" + ProcessHandle.current().pid());
        Files.deleteIfExists(tmp);
        Server jetty = new Server(new QueuedThreadPool(MAX_THREADS, MIN_THREADS, new java.util.concurrent.LinkedBlockingQueue<>()));
        UnixDomainServerConnector c = new UnixDomainServerConnector(jetty, new BlankHostFix(), new HttpConnectionFactory());
        c.setUnixDomainPath(tmp);
        jetty.addConnector(c);
        jetty.setHandler(new PluginHandler(d));
        jetty.setErrorHandler(new JsonErrors());
        try {
            jetty.start();
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            Files.move(tmp, config.socket(), StandardCopyOption.ATOMIC_MOVE);
        } catch (Exception e) {
            Files.deleteIfExists(tmp);
            ipam.close();
            try {
                jetty.stop();
            } catch (Exception ignored) {
                // already failing
            }
            throw new IOException("cannot serve on " + config.socket() + ": " + e.getMessage(), e);
        }
        LOG.log(System.Logger.Level.INFO, "CNM driver listening on {0}", config.socket());
        return new CnmServer(jetty, ipam, net, config.socket());
    }

    private static void prepareSocket(Path socket) throws IOException {
        Files.createDirectories(socket.toAbsolutePath().getParent());
        if (!Files.exists(socket)) return;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            throw new IOException("another process serves " + socket);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("another process")) throw e;
            Files.deleteIfExists(socket); // stale: nobody listens
        }
    }

    public Path socket() { return socket; }

    /** Handles one request: reads the whole body, dispatches, writes the JSON answer with its length. */
    private static final class PluginHandler extends Handler.Abstract {
        private final Dispatcher dispatcher;

        PluginHandler(Dispatcher dispatcher) {
            this.dispatcher = dispatcher;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            Dispatcher.Reply reply;
            java.io.InputStream in = Content.Source.asInputStream(request);
            byte[] body = request.getLength() > MAX_BODY ? null : in.readNBytes(MAX_BODY + 1);
            if (body == null || body.length > MAX_BODY) {
                // read the rest (up to a bound) before answering: closing with the client's bytes unread makes the
                // kernel reset the connection, and the client may never see the 413
                long left = request.getLength() < 0 ? DRAIN_LIMIT : Math.min(DRAIN_LIMIT, request.getLength());
                while (left > 0) {
                    long n = in.skip(left);
                    if (n <= 0) break;
                    left -= n;
                }
                reply = new Dispatcher.Reply(413, Dispatcher.JSON.writeValueAsString(java.util.Map.of(Dispatcher.ERR,
                        "podnet: request body larger than " + (MAX_BODY >> 10) + " KiB (Docker's requests are a few KiB)")));
            } else {
                reply = dispatcher.handle(Request.getPathInContext(request), new String(body, StandardCharsets.UTF_8));
            }
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            response.setStatus(reply.status());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, MEDIA_TYPE);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
            response.getHeaders().put(HttpHeader.CONNECTION, "close"); // next request passes BlankHostFix again
            response.write(true, java.nio.ByteBuffer.wrap(bytes), callback);
            return true;
        }
    }

    /** Requests Jetty itself refuses (bad URI, bad head) are answered the way dockerd reads errors: {@code {"Err": ...}}. */
    private static final class JsonErrors extends org.eclipse.jetty.server.handler.ErrorHandler {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            Object msg = request.getAttribute(ERROR_MESSAGE);
            String text = "podnet: HTTP " + response.getStatus() + (msg == null ? "" : " " + msg);
            byte[] bytes;
            try {
                bytes = Dispatcher.JSON.writeValueAsBytes(java.util.Map.of(Dispatcher.ERR, text));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                bytes = "{\"Err\":\"podnet: bad request\"}".getBytes(StandardCharsets.UTF_8);
            }
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, MEDIA_TYPE);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            response.write(true, java.nio.ByteBuffer.wrap(bytes), callback);
            return true;
        }
    }

    IpamDriver ipam() { return ipam; }

    NetworkDriver network() { return net; }

    /** Where the address reservations live (one directory per pool). */
    Path ipamDir() { return ipam.directory(); }

    /** Stops serving and removes the socket; state, bridges, veths and rules stay (Docker still uses them). */
    @Override
    public void close() throws IOException {
        try {
            jetty.stop();
        } catch (Exception e) {
            throw new IOException("stopping CNM server: " + e.getMessage(), e);
        } finally {
            ipam.close();
            Files.deleteIfExists(socket);
        }
    }
}
