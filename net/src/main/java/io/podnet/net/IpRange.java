package io.podnet.net;

import java.util.Iterator;
import java.util.NoSuchElementException;

/** An inclusive range of addresses of one family, {@code start <= end}. */
public record IpRange(IpAddress start, IpAddress end) implements Iterable<IpAddress> {

    public IpRange {
        if (start == null || end == null) throw new IllegalArgumentException("range needs start and end");
        if (start.family() != end.family()) throw new IllegalArgumentException("range mixes families: " + start + "-" + end);
        if (start.compareTo(end) > 0) throw new IllegalArgumentException("range start " + start + " is after end " + end);
    }

    public static IpRange parse(String text) {
        int dash = text.indexOf('-');
        if (dash < 0) throw new IllegalArgumentException("range must be start-end: " + text);
        return new IpRange(IpAddress.parse(text.substring(0, dash)), IpAddress.parse(text.substring(dash + 1)));
    }

    public boolean contains(IpAddress a) {
        return a.family() == start.family() && a.compareTo(start) >= 0 && a.compareTo(end) <= 0;
    }

    /** Number of addresses, saturated to Long.MAX_VALUE. */
    public long size() {
        long d = start.distanceTo(end);
        return d == Long.MAX_VALUE ? d : d + 1;
    }

    @Override
    public Iterator<IpAddress> iterator() {
        return new Iterator<>() {
            IpAddress next = start;

            @Override
            public boolean hasNext() { return next != null; }

            @Override
            public IpAddress next() {
                if (next == null) throw new NoSuchElementException();
                IpAddress cur = next;
                next = cur.equals(end) ? null : cur.next();
                return cur;
            }
        };
    }

    @Override
    public String toString() {
        return start + "-" + end;
    }
}
