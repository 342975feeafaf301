package io.podnet.bgp.speaker;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.bgp.message.*;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A neighbour played by the test over a {@link MemoryTransport} connection: it sends raw bytes, and reads
 * and decodes whatever the speaker sends (on the test thread, never blocking for long), keeping the routes
 * the speaker advertised to it and every other message in order.
 */
final class ScriptedPeer {
    final String name;
    final long asn;
    final IpAddress address;
    final CodecOptions codec;
    MemoryTransport.MemoryChannel ch;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    /** Every message received, in order (UPDATEs included). */
    final List<BgpMessage> received = new ArrayList<>();
    /** What the speaker advertises to this neighbour now: prefix → attributes. */
    final Map<IpPrefix, List<PathAttribute>> routes = new HashMap<>();
    boolean closed;

    ScriptedPeer(String name, long asn, IpAddress address, CodecOptions codec) {
        this.name = name;
        this.asn = asn;
        this.address = address;
        this.codec = codec;
    }

    /** An OPEN with hold time 0 (no keepalives to drive) and these capabilities. */
    static byte[] open(long asn, IpAddress id, List<Capability> caps) {
        return MessageCodec.encode(new OpenMessage(4, asn > 0xffff ? OpenMessage.AS_TRANS : (int) asn, 0, id, caps), CodecOptions.DEFAULT);
    }

    /** The usual capabilities: both unicast families, route refresh, enhanced route refresh, 4-octet AS. */
    static List<Capability> capabilities(long asn, boolean fourOctet, List<AfiSafi> families) {
        List<Capability> caps = new ArrayList<>();
        for (AfiSafi f : families) caps.add(new Capability.Multiprotocol(f));
        caps.add(new Capability.RouteRefresh());
        caps.add(new Capability.EnhancedRouteRefresh());
        if (fourOctet) caps.add(new Capability.FourOctetAs(asn));
        return caps;
    }

    void send(byte[] message) {
        try {
            ch.out.write(message, 0, message.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void send(BgpMessage m) { send(MessageCodec.encode(m, codec)); }

    /** Takes what the speaker wrote so far and decodes every whole message. */
    void collect() {
        boolean wasClosed = ch.in.isClosed(); // nothing is written after the close: what is buffered is all
        byte[] in = ch.in.takeAvailable();
        pending.write(in, 0, in.length);
        byte[] buf = pending.toByteArray();
        int at = 0;
        while (buf.length - at >= MessageCodec.HEADER_LENGTH) {
            int len = ((buf[at + 16] & 0xff) << 8) | (buf[at + 17] & 0xff);
            if (buf.length - at < len) break;
            byte[] m = java.util.Arrays.copyOfRange(buf, at, at + len);
            at += len;
            try {
                BgpMessage msg = MessageCodec.decode(m, m[18] == BgpMessage.TYPE_OPEN ? CodecOptions.DEFAULT : codec);
                received.add(msg);
                if (msg instanceof UpdateMessage u) apply(u);
            } catch (MalformedMessageException e) {
                throw new AssertionError(name + " received a malformed message from the speaker: " + e, e);
            }
        }
        pending.reset();
        pending.write(buf, at, buf.length - at);
        if (wasClosed && buf.length == at) closed = true;
    }

    private void apply(UpdateMessage u) {
        u.withdrawn().forEach(routes::remove);
        for (PathAttribute a : u.attributes()) if (a instanceof PathAttribute.MpUnreach w) w.withdrawn().forEach(routes::remove);
        for (IpPrefix p : u.nlri()) routes.put(p, u.attributes());
        for (PathAttribute a : u.attributes()) {
            if (a instanceof PathAttribute.MpReach r) for (IpPrefix p : r.nlri()) routes.put(p, u.attributes());
        }
    }

    /** Collects until {@code n} messages in all have arrived (or the connection ended); bounded wait. */
    void awaitMessages(int n) {
        long end = System.currentTimeMillis() + 10_000;
        collect();
        while (received.size() < n && !closed) {
            if (System.currentTimeMillis() > end) throw new AssertionError(name + ": only " + received + " after 10 s");
            ch.in.awaitData(200);
            collect();
        }
    }

    /**
     * Plays the passive side of the OPEN exchange on a connection the speaker made: waits for its OPEN,
     * sends {@code ownOpen} and a KEEPALIVE, waits for the speaker's KEEPALIVE.
     */
    void handshake(MemoryTransport.MemoryChannel c, byte[] ownOpen) {
        this.ch = c;
        awaitMessages(1);
        assertThat(received.getFirst()).as(name + ": the speaker opens").isInstanceOf(OpenMessage.class);
        send(ownOpen);
        send(MessageCodec.encode(KeepaliveMessage.INSTANCE, CodecOptions.DEFAULT));
        awaitMessages(2);
    }

    <T extends BgpMessage> List<T> messages(Class<T> kind) {
        return received.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    Optional<NotificationMessage> notification() { return messages(NotificationMessage.class).stream().findFirst(); }

    /** An attribute of the route the speaker advertises for {@code p}. */
    <T extends PathAttribute> Optional<T> attribute(IpPrefix p, Class<T> kind) {
        List<PathAttribute> attrs = routes.get(p);
        if (attrs == null) return Optional.empty();
        return attrs.stream().filter(kind::isInstance).map(kind::cast).findFirst();
    }

    boolean hasAttributeType(IpPrefix p, int type) {
        return routes.get(p).stream().anyMatch(a -> a.typeCode() == type);
    }

    /** Forgets what was received so far (the routes stay). */
    void clearMessages() { received.clear(); }

    @Override
    public String toString() { return name + "(" + address + ", AS " + asn + ")"; }
}
