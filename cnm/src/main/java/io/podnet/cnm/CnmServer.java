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
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * The Docker plugin endpoint: Jetty serving HTTP/1.1 on a unix socket, every POST handed to the
 * {@link Dispatcher}. Docker finds the plugin by the socket's name under {@code /run/docker/plugins}.
 * <p>Complicating factors: Docker sends no Content-Type, an empty {@code Host} (see {@link BlankHostFix}) and
 * empty bodies for Activate and GetCapabilities;
 * a socket file left by a killed predecessor is removed when nobody answers on it (one that answers is
 * refused: two drivers on one socket would split the state).
 */
public final class CnmServer implements AutoCloseable {
    static final String MEDIA_TYPE = "application/vnd.docker.plugins.v1.2+json";
    private static final System.Logger LOG = System.getLogger(CnmServer.class.getName());
    private final Server jetty;
    private final IpamDriver ipam;
    private final NetworkDriver net;
    private final Path socket;

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
        Server jetty = new Server();
        UnixDomainServerConnector c = new UnixDomainServerConnector(jetty, new BlankHostFix(), new HttpConnectionFactory());
        c.setUnixDomainPath(config.socket());
        jetty.addConnector(c);
        jetty.setHandler(new PluginHandler(d));
        try {
            jetty.start();
        } catch (Exception e) {
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
            String body = Content.Source.asString(request, StandardCharsets.UTF_8);
            Dispatcher.Reply reply = dispatcher.handle(Request.getPathInContext(request), body);
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            response.setStatus(reply.status());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, MEDIA_TYPE);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
            response.getHeaders().put(HttpHeader.CONNECTION, "close"); // next request passes BlankHostFix again
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
