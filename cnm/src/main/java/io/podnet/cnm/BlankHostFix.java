package io.podnet.cnm;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.util.BufferUtil;

/**
 * dockerd's plugin client (Go net/http over a unix socket) sends {@code Host: } with an empty value, which
 * Jetty 12.1 answers with "400 Blank Host" and has no compliance switch for. This connection reads one
 * request head, replaces the empty Host value by {@code plugin}, and hands the bytes to Jetty's HTTP/1.1
 * connection (connection upgrade with prefilled bytes). The server answers with {@code Connection: close},
 * so every request arrives on a fresh connection and passes through here.
 */
final class BlankHostFix extends AbstractConnectionFactory {
    /**
     * The most read before the hand-over (head and whatever body came with it). Must fit Jetty's input buffer:
     * with 64 KiB, a body over ~64 KiB (a CreateEndpoint with -p 8000-9000 is ~90 KiB) stalled until the idle timeout.
     * dockerd's request heads are ~200 bytes.
     */
    static final int MAX_HEAD = 4096;
    private static final byte[] BLANK = "\r\nHost: \r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FIXED = "\r\nHost: plugin\r\n".getBytes(StandardCharsets.US_ASCII);

    BlankHostFix() {
        super("docker-blank-host");
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        return configure(new HeadReader(connector, endPoint), connector, endPoint);
    }

    /** Replaces an empty Host header in the request head {@code head} (bytes up to the blank line). */
    static byte[] rewrite(byte[] head) {
        int at = indexOf(head, BLANK);
        if (at < 0) return head;
        byte[] out = new byte[head.length - BLANK.length + FIXED.length];
        System.arraycopy(head, 0, out, 0, at);
        System.arraycopy(FIXED, 0, out, at, FIXED.length);
        System.arraycopy(head, at + BLANK.length, out, at + FIXED.length, head.length - at - BLANK.length);
        return out;
    }

    static int indexOf(byte[] a, byte[] pat) {
        outer:
        for (int i = 0; i + pat.length <= a.length; i++) {
            for (int j = 0; j < pat.length; j++) {
                if (a[i + j] != pat[j]) continue outer;
            }
            return i;
        }
        return -1;
    }

    private static final class HeadReader extends AbstractConnection implements Connection.UpgradeFrom {
        private final Connector connector;
        private final ByteBuffer buf = BufferUtil.allocate(MAX_HEAD);
        private ByteBuffer handOver;

        HeadReader(Connector connector, EndPoint endPoint) {
            super(endPoint, connector.getExecutor());
            this.connector = connector;
        }

        @Override
        public void onOpen() {
            super.onOpen();
            fillInterested();
        }

        @Override
        public void onFillable() {
            try {
                while (true) {
                    int n = getEndPoint().fill(buf);
                    if (n < 0) {
                        getEndPoint().close();
                        return;
                    }
                    byte[] have = BufferUtil.toArray(buf);
                    int end = indexOf(have, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    if (end >= 0) {
                        handOver(have, end + 4);
                        return;
                    }
                    if (BufferUtil.isFull(buf)) {
                        refuseHead();
                        return;
                    }
                    if (n == 0) {
                        fillInterested();
                        return;
                    }
                }
            } catch (Exception e) {
                getEndPoint().close(e);
            }
        }

        /** A request head that does not fit: answered as dockerd reads errors, then closed. */
        private void refuseHead() {
            byte[] body = ("{\"Err\":\"podnet: request head larger than " + MAX_HEAD + " bytes\"}").getBytes(StandardCharsets.UTF_8);
            byte[] head = ("HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: " + CnmServer.MEDIA_TYPE + "\r\nContent-Length: "
                    + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            getEndPoint().write(org.eclipse.jetty.util.Callback.from(() -> getEndPoint().close(), x -> getEndPoint().close(x)),
                    ByteBuffer.wrap(head), ByteBuffer.wrap(body));
        }

        private void handOver(byte[] have, int headLen) {
            byte[] head = new byte[headLen];
            System.arraycopy(have, 0, head, 0, headLen);
            byte[] fixed = rewrite(head);
            handOver = ByteBuffer.allocate(fixed.length + have.length - headLen);
            handOver.put(fixed).put(have, headLen, have.length - headLen).flip();
            Connection http = connector.getConnectionFactory(HttpConnectionFactory.class).newConnection(connector, getEndPoint());
            getEndPoint().upgrade(http);
        }

        @Override
        public ByteBuffer onUpgradeFrom() {
            ByteBuffer b = handOver;
            handOver = null;
            return b;
        }
    }
}
