package io.podnet.ipam;

import io.podnet.net.IpAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * A pool of ranges of one family from which one address is allocated (host-local's inner list). Several
 * range sets give one address each, e.g. IPv4 + IPv6.
 */
public record RangeSet(List<AllocRange> ranges) {
    public RangeSet {
        ranges = List.copyOf(ranges);
        if (ranges.isEmpty()) throw new IllegalArgumentException("empty range set");
        for (int i = 0; i < ranges.size(); i++) {
            for (int j = i + 1; j < ranges.size(); j++) {
                if (ranges.get(i).overlaps(ranges.get(j))) {
                    throw new IllegalArgumentException("ranges " + ranges.get(i) + " and " + ranges.get(j) + " overlap");
                }
            }
        }
    }

    public Optional<AllocRange> rangeFor(IpAddress a) {
        for (AllocRange r : ranges) {
            if (r.contains(a)) return Optional.of(r);
        }
        return Optional.empty();
    }

    public boolean contains(IpAddress a) {
        return rangeFor(a).isPresent();
    }

    public boolean overlaps(RangeSet o) {
        for (AllocRange a : ranges) {
            for (AllocRange b : o.ranges) {
                if (a.overlaps(b)) return true;
            }
        }
        return false;
    }

    /**
     * host-local's round-robin order: every address once, starting after {@code last} (when it lies in this
     * set) or at the first range's start, walking the ranges in order and wrapping; gateways are skipped.
     */
    public Iterator<IpAddress> candidates(Optional<IpAddress> last) {
        int r0 = 0;
        IpAddress first = ranges.get(0).start();
        if (last.isPresent()) {
            for (int i = 0; i < ranges.size(); i++) {
                AllocRange r = ranges.get(i);
                if (r.contains(last.get())) {
                    boolean atEnd = last.get().equals(r.end());
                    r0 = atEnd ? (i + 1) % ranges.size() : i;
                    first = atEnd ? ranges.get(r0).start() : last.get().next();
                    break;
                }
            }
        }
        return new Walk(r0, first);
    }

    /** Iterates from (range r0, address first) through all ranges once, wrapping, skipping gateways. */
    private final class Walk implements Iterator<IpAddress> {
        private final IpAddress stopAt;
        private int range;
        private IpAddress next;
        private boolean done;

        Walk(int r0, IpAddress first) {
            this.range = r0;
            this.next = first;
            this.stopAt = first;
            skipGateway();
        }

        @Override
        public boolean hasNext() {
            return !done;
        }

        @Override
        public IpAddress next() {
            if (done) throw new NoSuchElementException();
            IpAddress cur = next;
            advance();
            skipGateway();
            return cur;
        }

        private void advance() {
            AllocRange r = ranges.get(range);
            if (next.equals(r.end())) {
                range = (range + 1) % ranges.size();
                next = ranges.get(range).start();
            } else {
                next = next.next();
            }
            if (next.equals(stopAt)) done = true;
        }

        private void skipGateway() {
            while (!done && next.equals(ranges.get(range).gateway())) advance();
        }
    }

    /** host-local's text: ranges joined by ','. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        ranges.forEach(r -> parts.add(r.toString()));
        return String.join(",", parts);
    }
}
