package io.podnet.testkit;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The per-run unique prefix every namespace, link, nft table and process a test creates carries.
 * Short enough to leave room in a 15-character interface name: {@code "pn" + 4 hex} plus a counter.
 */
public final class RunId {
    private static final String PREFIX = "pn" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private RunId() {}

    /** The run prefix, e.g. {@code pn3fa2}. */
    public static String prefix() { return PREFIX; }

    /** A fresh unique name {@code <prefix><tag><n>}, at most 15 characters when {@code tag} is short. */
    public static String name(String tag) {
        String n = PREFIX + tag + COUNTER.incrementAndGet();
        if (n.length() > 15) throw new IllegalArgumentException("name too long for an interface: " + n);
        return n;
    }
}
