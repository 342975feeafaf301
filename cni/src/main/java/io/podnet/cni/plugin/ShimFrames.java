package io.podnet.cni.plugin;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shim ↔ agent framing, one request and one response per connection, all integers unsigned 32-bit big-endian:
 *
 * <pre>
 * request  = "PNC1" envLen env  stdinLen stdin        env = ("KEY=VALUE" NUL)*, only CNI_* and PODNET_PLUGIN
 * response = "PNR1" exitCode outLen stdout errLen stderr
 * </pre>
 *
 * Each length is at most {@link #MAX_PART} (16 MiB); a larger one, a wrong magic or a short read is an
 * IOException. The C forwarder ({@code src/main/c/podnet-cni.c}) speaks the same bytes.
 */
public final class ShimFrames {
    public static final int MAX_PART = 16 << 20;
    static final byte[] REQUEST_MAGIC = {'P', 'N', 'C', '1'};
    static final byte[] RESPONSE_MAGIC = {'P', 'N', 'R', '1'};

    private ShimFrames() {}

    /** A decoded request: forwarded environment and stdin. */
    public static final class Request {
        public final Map<String, String> env;
        public final byte[] stdin;

        public Request(Map<String, String> env, byte[] stdin) {
            this.env = env;
            this.stdin = stdin;
        }
    }

    /** A decoded response: exit code, stdout and stderr bytes. */
    public static final class Response {
        public final int exitCode;
        public final byte[] stdout;
        public final byte[] stderr;

        public Response(int exitCode, byte[] stdout, byte[] stderr) {
            this.exitCode = exitCode;
            this.stdout = stdout;
            this.stderr = stderr;
        }
    }

    public static void writeRequest(WritableByteChannel ch, Map<String, String> env, byte[] stdin) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : env.entrySet()) {
            sb.append(e.getKey()).append('=').append(e.getValue()).append('\0');
        }
        byte[] envBytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(12 + envBytes.length + stdin.length);
        b.put(REQUEST_MAGIC).putInt(envBytes.length).put(envBytes).putInt(stdin.length).put(stdin).flip();
        writeFully(ch, b);
    }

    public static Request readRequest(ReadableByteChannel ch) throws IOException {
        expectMagic(ch, REQUEST_MAGIC);
        byte[] env = readPart(ch);
        byte[] stdin = readPart(ch);
        Map<String, String> map = new LinkedHashMap<>();
        String all = new String(env, StandardCharsets.UTF_8);
        int start = 0;
        while (start < all.length()) {
            int end = all.indexOf('\0', start);
            if (end < 0) throw new IOException("env entry not NUL-terminated");
            String kv = all.substring(start, end);
            int eq = kv.indexOf('=');
            if (eq <= 0) throw new IOException("env entry without '=': " + kv);
            map.put(kv.substring(0, eq), kv.substring(eq + 1));
            start = end + 1;
        }
        return new Request(map, stdin);
    }

    public static void writeResponse(WritableByteChannel ch, int exitCode, byte[] stdout, byte[] stderr) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16 + stdout.length + stderr.length);
        b.put(RESPONSE_MAGIC).putInt(exitCode).putInt(stdout.length).put(stdout).putInt(stderr.length).put(stderr).flip();
        writeFully(ch, b);
    }

    public static Response readResponse(ReadableByteChannel ch) throws IOException {
        expectMagic(ch, RESPONSE_MAGIC);
        int exit = readFully(ch, 4).getInt();
        byte[] out = readPart(ch);
        byte[] err = readPart(ch);
        return new Response(exit, out, err);
    }

    private static void expectMagic(ReadableByteChannel ch, byte[] magic) throws IOException {
        ByteBuffer m = readFully(ch, 4);
        for (int i = 0; i < 4; i++) {
            if (m.get(i) != magic[i]) throw new IOException("bad frame magic");
        }
    }

    private static byte[] readPart(ReadableByteChannel ch) throws IOException {
        int len = readFully(ch, 4).getInt();
        if (len < 0 || len > MAX_PART) throw new IOException("frame part too large: " + Integer.toUnsignedString(len));
        byte[] out = new byte[len];
        ByteBuffer b = ByteBuffer.wrap(out);
        fill(ch, b);
        return out;
    }

    private static ByteBuffer readFully(ReadableByteChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        fill(ch, b);
        return b.flip();
    }

    private static void fill(ReadableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) throw new EOFException("connection closed mid-frame");
        }
    }

    private static void writeFully(WritableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }
}
