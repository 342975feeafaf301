package io.podnet.bgp.rib;

import io.podnet.bgp.message.AsPathSegment;
import io.podnet.bgp.message.OpenMessage;
import io.podnet.bgp.message.PathAttribute;
import io.podnet.bgp.message.PathAttribute.*;
import java.util.ArrayList;
import java.util.List;

/** AS_PATH manipulation: eBGP prepend (RFC 4271 §5.1.2) and 2-octet peer conversion (RFC 6793 §4.2). */
public final class AsPaths {
    private AsPaths() {}

    /** Prepends {@code asn} to the leftmost AS_SEQUENCE, or adds a new one (RFC 4271 §5.1.2 b). */
    public static AsPath prepend(AsPath path, long asn) {
        List<AsPathSegment> segs = new ArrayList<>(path.segments());
        if (!segs.isEmpty() && segs.getFirst().type() == AsPathSegment.Type.AS_SEQUENCE && segs.getFirst().asns().size() < 255) {
            List<Long> asns = new ArrayList<>(segs.getFirst().asns().size() + 1);
            asns.add(asn);
            asns.addAll(segs.getFirst().asns());
            segs.set(0, new AsPathSegment(AsPathSegment.Type.AS_SEQUENCE, asns));
        } else {
            segs.addFirst(AsPathSegment.sequence(asn));
        }
        return new AsPath(segs);
    }

    /** The path without AS_CONFED_SEQUENCE / AS_CONFED_SET segments (RFC 5065 §4.1, leaving the confederation). */
    public static AsPath withoutConfederation(AsPath path) {
        for (AsPathSegment s : path.segments()) {
            if (s.type() == AsPathSegment.Type.AS_CONFED_SEQUENCE || s.type() == AsPathSegment.Type.AS_CONFED_SET) {
                return new AsPath(path.segments().stream().filter(x -> x.type() == AsPathSegment.Type.AS_SEQUENCE
                        || x.type() == AsPathSegment.Type.AS_SET).toList());
            }
        }
        return path;
    }

    /**
     * For a peer without 4-octet AS support (RFC 6793 §4.2.2): the AS_PATH keeps its ASNs (the encoder writes
     * AS_TRANS for large ones) and, if any ASN needs 4 octets, AS4_PATH carries the real path.
     */
    public static List<PathAttribute> toTwoOctetPeer(List<PathAttribute> attrs) {
        List<PathAttribute> out = new ArrayList<>(attrs.size() + 1);
        for (PathAttribute a : attrs) {
            out.add(a);
            if (a instanceof AsPath p && needsFourOctets(p.segments())) {
                out.add(new As4Path(p.segments().stream()
                        .filter(s -> s.type() == AsPathSegment.Type.AS_SEQUENCE || s.type() == AsPathSegment.Type.AS_SET).toList()));
            }
            if (a instanceof Aggregator g && g.asn() > 0xffff) out.add(new As4Aggregator(g.asn(), g.address()));
        }
        return out;
    }

    private static boolean needsFourOctets(List<AsPathSegment> segs) {
        for (AsPathSegment s : segs) for (long a : s.asns()) if (a > 0xffff) return true;
        return false;
    }

    /**
     * From a 2-octet peer (RFC 6793 §4.2.3): merge AS4_PATH into AS_PATH, AS4_AGGREGATOR into AGGREGATOR,
     * and drop both AS4 attributes. From a 4-octet peer they are simply dropped (§4.1: ignore them).
     */
    public static List<PathAttribute> fromPeer(List<PathAttribute> attrs, boolean fourOctetSession) {
        AsPath path = null;
        As4Path as4 = null;
        Aggregator agg = null;
        As4Aggregator agg4 = null;
        for (PathAttribute a : attrs) {
            switch (a) {
                case AsPath x -> path = x;
                case As4Path x -> as4 = x;
                case Aggregator x -> agg = x;
                case As4Aggregator x -> agg4 = x;
                default -> { }
            }
        }
        if (as4 == null && agg4 == null) return attrs;
        List<PathAttribute> out = new ArrayList<>(attrs.size());
        for (PathAttribute a : attrs) {
            if (a instanceof As4Path || a instanceof As4Aggregator) continue;
            if (!fourOctetSession && a instanceof AsPath && as4 != null
                    && (agg4 == null || agg == null || agg.asn() == OpenMessage.AS_TRANS)) {
                out.add(merge(path, as4));
            } else if (!fourOctetSession && a instanceof Aggregator g && agg4 != null && g.asn() == OpenMessage.AS_TRANS) {
                out.add(new Aggregator(agg4.asn(), agg4.address()));
            } else {
                out.add(a);
            }
        }
        return out;
    }

    /** RFC 6793 §4.2.3: keep the leading ASNs of AS_PATH that AS4_PATH lacks, then AS4_PATH. */
    static AsPath merge(AsPath path, As4Path as4) {
        int extra = path.length() - new AsPath(as4.segments()).length();
        if (extra < 0) return path; // AS4_PATH longer than AS_PATH: ignore it
        List<AsPathSegment> out = new ArrayList<>();
        for (AsPathSegment s : path.segments()) {
            if (extra <= 0) break;
            if (s.type() == AsPathSegment.Type.AS_SEQUENCE) {
                int take = Math.min(extra, s.asns().size());
                out.add(new AsPathSegment(s.type(), s.asns().subList(0, take)));
                extra -= take;
            } else {
                out.add(s);
                extra -= s.pathLength();
            }
        }
        out.addAll(as4.segments());
        return new AsPath(out);
    }
}
