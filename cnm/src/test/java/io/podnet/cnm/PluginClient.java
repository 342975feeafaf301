package io.podnet.cnm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Talks to the plugin socket the way dockerd does: POST, no Content-Type, Docker's Accept header. */
final class PluginClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private final Path socket;

    record Answer(int status, JsonNode body) {}

    PluginClient(Path socket) {
        this.socket = socket;
    }

    Answer post(String path, String body) throws IOException {
        Raw r = raw(path, body);
        return new Answer(r.status(), JSON.readTree(r.body()));
    }

    /** The answer as sent: status and body text (which need not be JSON). */
    record Raw(int status, String body) {}

    Raw raw(String path, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nHost: \r\nUser-Agent: Go-http-client/1.1\r\n"
                + "Accept: application/vnd.docker.plugins.v1.2+json\r\nContent-Length: " + b.length + "\r\nConnection: close\r\n\r\n";
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            try {
                ch.write(ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
                ByteBuffer rest = ByteBuffer.wrap(b);
                while (rest.hasRemaining()) ch.write(rest);
            } catch (IOException e) {
                // the server answered early (e.g. 413 for a huge body) and closed: its answer is still to be read
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            try {
                while (ch.read(buf) >= 0) {
                    out.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
            } catch (IOException e) {
                // the server closed with our unread body in its queue (a 413): AF_UNIX then resets the connection;
                // what it answered before that is the answer
                out.write(buf.array(), 0, buf.position());
                if (out.size() == 0) throw e;
            }
            String resp = out.toString(StandardCharsets.UTF_8);
            int status = Integer.parseInt(resp.substring(9, 12));
            String json = resp.substring(resp.indexOf("\r\n\r\n") + 4);
            return new Raw(status, json);
        }
    }

    /** Posts and expects HTTP 200; returns the body. */
    JsonNode ok(String path, String body) throws IOException {
        Answer a = post(path, body);
        if (a.status() != 200) throw new AssertionError(path + " answered " + a.status() + " " + a.body());
        return a.body();
    }
}
