package io.podnet.bgp.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.bgp.message.*;
import io.podnet.bgp.message.PathAttribute.*;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone route reflector, as a process with the JVM flags of {@code podnet bgp} (a 36 MB heap and
 * {@code -XX:+ExitOnOutOfMemoryError}), against a peer that sends far more routes than that heap holds: the
 * peer gets Cease "Out of Resources" (RFC 4486 §4), the process stays up, another peer's session and routes
 * stay, and the flooding peer can connect again after its restart time. Real TCP on 127.0.0.x, no root.
 */
class StandaloneMemoryGuardIT {
    /** bin/podnet's flags for {@code podnet bgp} (bgp/README.md "Standalone mode"). */
    static final List<String> STANDALONE_FLAGS = List.of("-XX:+UseSerialGC", "-Xms8m", "-Xmx36m", "-Xmn4m",
            "-XX:+UseCompactObjectHeaders", "-XX:TieredStopAtLevel=1", "-Xss256k", "-XX:ReservedCodeCacheSize=16m",
            "-XX:MaxMetaspaceSize=48m", "-XX:TrimNativeHeapInterval=2000", "-XX:+ExitOnOutOfMemoryError");
    static final String SELF = "127.0.0.61", FLOOD = "127.0.0.62", QUIET = "127.0.0.63";

    final int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
    final List<String> output = new CopyOnWriteArrayList<>();

    /** A BGP peer on a plain socket: sends what the test builds, reads what the speaker sends. */
    static final class RawPeer implements AutoCloseable {
        final Socket socket = new Socket();
        DataInputStream in;
        OutputStream out;

        RawPeer(String local, String remote, int port) throws IOException {
            socket.bind(new InetSocketAddress(local, 0));
            socket.connect(new InetSocketAddress(remote, port), 5000);
            socket.setSoTimeout(30_000);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        void send(BgpMessage m) throws IOException { out.write(MessageCodec.encode(m, CodecOptions.DEFAULT)); }

        BgpMessage read() throws IOException {
            byte[] hdr = new byte[19];
            in.readFully(hdr);
            int len = ((hdr[16] & 0xff) << 8) | (hdr[17] & 0xff);
            byte[] m = new byte[len];
            System.arraycopy(hdr, 0, m, 0, 19);
            in.readFully(m, 19, len - 19);
            try {
                return MessageCodec.decode(m, CodecOptions.DEFAULT);
            } catch (MalformedMessageException e) {
                throw new IOException(e);
            }
        }

        /** OPEN both ways (hold time 0: no keepalives needed), then KEEPALIVE both ways. */
        void handshake(long asn, String id) throws IOException {
            send(new OpenMessage(4, (int) asn, 0, IpAddress.parse(id), List.of(new Capability.Multiprotocol(AfiSafi.IPV4_UNICAST),
                    new Capability.FourOctetAs(asn))));
            assertThat(read()).isInstanceOf(OpenMessage.class);
            send(KeepaliveMessage.INSTANCE);
            assertThat(read()).isInstanceOf(KeepaliveMessage.class);
        }

        @Override
        public void close() throws IOException { socket.close(); }
    }

    static UpdateMessage announce(long asn, String nh, int first, int count) {
        List<IpPrefix> nlri = new ArrayList<>(count);
        for (int i = first; i < first + count; i++) nlri.add(IpPrefix.of(IpAddress.v4((1 << 24) + (i << 8)), 24));
        return new UpdateMessage(List.of(), List.of(Origin.IGP, new AsPath(List.of(AsPathSegment.sequence(asn))),
                new NextHop(IpAddress.parse(nh))), nlri);
    }

    private void await(String what, long millis, BooleanSupplier ok) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (!ok.getAsBoolean()) {
            if (System.currentTimeMillis() > end) throw new AssertionError("timed out waiting for " + what + "; output: " + output);
            TimeUnit.MILLISECONDS.sleep(50); // polling a real process's output
        }
    }

    private Process start(Path dir) throws IOException {
        Path cfg = dir.resolve("rr.json");
        Files.writeString(cfg, """
                { "asn": 64512, "routerId": "%s", "clusterId": "%s", "listen": "%s:%d", "statusIntervalSeconds": 1,
                  "peers": [
                    { "address": "%s", "asn": 65001, "passive": true, "maxPrefixes": 100000000, "maxPrefixesRestartSeconds": 2 },
                    { "address": "%s", "asn": 65002, "passive": true } ] }
                """.formatted(SELF, SELF, SELF, port, FLOOD, QUIET));
        String cp = Path.of(BgpMain.class.getProtectionDomain().getCodeSource().getLocation().getPath()) + java.io.File.pathSeparator
                + Path.of(IpAddress.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(STANDALONE_FLAGS);
        cmd.addAll(List.of("-cp", cp, BgpMain.class.getName(), "--config", cfg.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) output.add(l);
            } catch (IOException ignored) {
                // the process ended
            }
        });
        return p;
    }

    @Test
    void aPeerSendingMoreRoutesThanTheHeapHoldsGetsCeaseOutOfResourcesAndTheProcessStays(@TempDir Path dir) throws Exception {
        Process rr = start(dir);
        try {
            await("the speaker to listen", 30_000, () -> output.stream().anyMatch(l -> l.contains("listening on")));
            try (RawPeer quiet = new RawPeer(QUIET, SELF, port); RawPeer flood = new RawPeer(FLOOD, SELF, port)) {
                quiet.handshake(65002, QUIET);
                quiet.send(announce(65002, QUIET, 0, 10));
                Thread.ofVirtual().start(() -> { // a client reads what it is sent (the flood, reflected, then withdrawn)
                    try {
                        while (true) quiet.read();
                    } catch (IOException e) {
                        // closed at the end of the test
                    }
                });
                flood.handshake(65001, FLOOD);
                List<BgpMessage> got = new CopyOnWriteArrayList<>();
                Thread reader = Thread.ofVirtual().start(() -> {
                    try {
                        while (true) got.add(flood.read());
                    } catch (IOException e) {
                        // closed by the speaker after its NOTIFICATION
                    }
                });
                int sent = 0;
                try {
                    for (int first = 1000; first < 6_000_000 && got.stream().noneMatch(m -> m instanceof NotificationMessage);
                         first += 1000, sent += 1000) {
                        flood.send(announce(65001, FLOOD, first, 1000));
                    }
                } catch (SocketException e) {
                    // the speaker closed the connection: its NOTIFICATION is in what the reader got
                }
                reader.join(30_000);
                assertThat(got).as("after " + sent + " routes").contains(new NotificationMessage(BgpError.CEASE_OUT_OF_RESOURCES));
                assertThat(rr.isAlive()).as("the route reflector did not exit").isTrue();
                await("the quiet peer's routes alone, its session up", 30_000, () -> output.stream().anyMatch(l ->
                        l.startsWith("status locrib=10 ") && l.contains(QUIET + ":ESTABLISHED")));
                await("the flooding peer to be accepted again after its restart time", 30_000, () -> {
                    try (RawPeer again = new RawPeer(FLOOD, SELF, port)) {
                        again.handshake(65001, FLOOD);
                        return true;
                    } catch (IOException | AssertionError e) {
                        return false; // refused (closed) while held
                    }
                });
                assertThat(rr.isAlive()).isTrue();
                output.stream().filter(l -> l.contains("stopped:")).forEach(System.out::println); // where the guard acted
            }
        } finally {
            rr.destroy();
            if (!rr.waitFor(10, TimeUnit.SECONDS)) rr.destroyForcibly();
        }
    }
}
