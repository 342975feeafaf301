package io.podnet.bgp.speaker;

import io.podnet.bgp.message.AfiSafi;
import io.podnet.bgp.message.CodecOptions;
import io.podnet.bgp.message.MessageCodec;
import io.podnet.bgp.message.PathAttribute;
import io.podnet.bgp.message.UpdateMessage;
import io.podnet.bgp.rib.AsPaths;
import io.podnet.bgp.rib.Attrs;
import io.podnet.bgp.rib.Rib.OutRoute;
import io.podnet.net.IpPrefix;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Packs routes for one peer into as few UPDATEs as the size limit allows (RFC 4271 §4.3, §9.2): prefixes
 * sharing one {@link Attrs} object go in one message; IPv4 in the NLRI field, IPv6 in MP_REACH_NLRI
 * (RFC 4760 §3); withdrawals likewise in Withdrawn Routes / MP_UNREACH_NLRI.
 */
final class UpdatePacker {
    private UpdatePacker() {}

    /** Encodes {@code routes} for a peer that negotiated {@code families}; each message goes to {@code sink}. */
    static void pack(List<OutRoute> routes, List<AfiSafi> families, CodecOptions codec, Consumer<byte[]> sink) {
        boolean v4 = families.contains(AfiSafi.IPV4_UNICAST);
        boolean v6 = families.contains(AfiSafi.IPV6_UNICAST);
        Map<Attrs, List<IpPrefix>> groups = new IdentityHashMap<>();
        List<IpPrefix> w4 = new ArrayList<>();
        List<IpPrefix> w6 = new ArrayList<>();
        List<Attrs> order = new ArrayList<>();
        for (OutRoute r : routes) {
            boolean isV4 = r.prefix().address().isV4();
            if (isV4 ? !v4 : !v6) continue;
            if (r.attrs() == null) {
                (isV4 ? w4 : w6).add(r.prefix());
            } else {
                List<IpPrefix> group = groups.get(r.attrs());
                if (group == null) {
                    group = new ArrayList<>(Math.min(routes.size(), 1024));
                    groups.put(r.attrs(), group);
                    order.add(r.attrs());
                }
                group.add(r.prefix());
            }
        }
        int max = codec.maxMessageSize() - 32; // margin for the extended-length byte and header rounding
        chunk(w4, max - 23, c -> sink.accept(MessageCodec.encode(new UpdateMessage(c, List.of(), List.of()), codec)));
        chunk(w6, max - 30, c -> sink.accept(MessageCodec.encode(new UpdateMessage(List.of(),
                List.of(new PathAttribute.MpUnreach(AfiSafi.IPV6_UNICAST, c)), List.of()), codec)));
        for (Attrs a : order) announce(a, groups.get(a), codec, max, sink);
    }

    private static void announce(Attrs a, List<IpPrefix> prefixes, CodecOptions codec, int max, Consumer<byte[]> sink) {
        List<PathAttribute> base = codec.fourOctetAs() ? a.list() : AsPaths.toTwoOctetPeer(a.list());
        boolean isV4 = prefixes.getFirst().address().isV4();
        List<PathAttribute> attrs = new ArrayList<>(base.size() + 1);
        if (isV4) {
            attrs.addAll(base);
            attrs.add(new PathAttribute.NextHop(a.nextHop()));
            int fixed = MessageCodec.encode(new UpdateMessage(List.of(), attrs, List.of()), codec).length;
            chunk(prefixes, max - fixed, c -> sink.accept(MessageCodec.encode(new UpdateMessage(List.of(), attrs, c), codec)));
        } else {
            int fixed = MessageCodec.encode(new UpdateMessage(List.of(), base, List.of()), codec).length + 4 + 5 + 16;
            chunk(prefixes, max - fixed, c -> {
                List<PathAttribute> withMp = new ArrayList<>(base.size() + 1);
                withMp.add(new PathAttribute.MpReach(AfiSafi.IPV6_UNICAST, List.of(a.nextHop()), c));
                withMp.addAll(base);
                sink.accept(MessageCodec.encode(new UpdateMessage(List.of(), withMp, List.of()), codec));
            });
        }
    }

    /** Splits prefixes into runs whose encoded size stays within {@code budget} bytes. */
    private static void chunk(List<IpPrefix> prefixes, int budget, Consumer<List<IpPrefix>> emit) {
        int expect = Math.min(prefixes.size(), budget / 4 + 1); // a /24 takes 4 bytes
        List<IpPrefix> cur = new ArrayList<>(expect);
        int size = 0;
        for (IpPrefix p : prefixes) {
            int s = 1 + ((p.length() + 7) >>> 3);
            if (size + s > budget && !cur.isEmpty()) {
                emit.accept(cur);
                cur = new ArrayList<>(expect);
                size = 0;
            }
            cur.add(p);
            size += s;
        }
        if (!cur.isEmpty()) emit.accept(cur);
    }

}
