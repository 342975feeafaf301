package io.podnet.rtnetlink;

import io.podnet.net.IpFamily;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Kernel parameters under {@code /proc/sys} as seen from one namespace ({@code sysctl}). {@code /proc/sys/net}
 * resolves against the namespace of the thread that opens the file, so reads and writes for a foreign
 * namespace run on a dedicated platform thread inside it.
 * Keys use dots ({@code net.ipv4.ip_forward}) or slashes; the typed helpers build slash paths so interface
 * names containing dots (VLAN devices like {@code eth0.100}) work.
 */
public final class Sysctls {
    private final NetNs ns;

    Sysctls(NetNs ns) {
        this.ns = ns;
    }

    static Path path(String key) {
        String rel = key.contains("/") ? key : key.replace('.', '/');
        if (rel.contains("..")) throw new IllegalArgumentException("invalid sysctl key: " + key);
        return Path.of("/proc/sys").resolve(rel.startsWith("/") ? rel.substring(1) : rel);
    }

    /** Equivalent to {@code sysctl -n KEY}. */
    public String get(String key) throws IOException {
        Path p = path(key);
        return in(() -> read(p));
    }

    /** Equivalent to {@code sysctl -w KEY=VALUE}. */
    public void set(String key, String value) throws IOException {
        Path p = path(key);
        in(() -> {
            Files.writeString(p, value);
            return null;
        });
    }

    /** Sets KEY only when it differs (avoids needless writes, which some knobs treat as events). */
    public void ensure(String key, String value) throws IOException {
        Path p = path(key);
        in(() -> {
            if (!read(p).equals(value)) Files.writeString(p, value);
            return null;
        });
    }

    /**
     * The value, stripped. Not {@code Files.readString}: on JDK 25 it returns only the first byte of a /proc/sys file
     * (their size is 0), so "1024" read as "1" and "60" as "6".
     */
    private static String read(Path p) throws IOException {
        try (var in = new java.io.FileInputStream(p.toFile())) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).strip();
        }
    }

    private <T> T in(java.util.concurrent.Callable<T> task) throws IOException {
        if (ns.isCurrent()) {
            try {
                return task.call();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
        return Namespaces.runIn(ns, task);
    }

    /** {@code net.ipv4.ip_forward} / {@code net.ipv6.conf.all.forwarding}. */
    public void setIpForwarding(IpFamily family, boolean on) throws IOException {
        ensure(family == IpFamily.V4 ? "net/ipv4/ip_forward" : "net/ipv6/conf/all/forwarding", on ? "1" : "0");
    }

    /** {@code net.ipv4.conf.DEV.proxy_arp}. */
    public void setProxyArp(String dev, boolean on) throws IOException {
        ensure("net/ipv4/conf/" + dev + "/proxy_arp", on ? "1" : "0");
    }

    /** {@code net.ipv4.conf.DEV.rp_filter} (0 off, 1 strict, 2 loose). */
    public void setRpFilter(String dev, int mode) throws IOException {
        ensure("net/ipv4/conf/" + dev + "/rp_filter", Integer.toString(mode));
    }

    /** {@code net.ipv6.conf.DEV.accept_ra} (0, 1, 2). */
    public void setAcceptRa(String dev, int mode) throws IOException {
        ensure("net/ipv6/conf/" + dev + "/accept_ra", Integer.toString(mode));
    }

    /** {@code net.ipv6.conf.DEV.accept_dad}. */
    public void setAcceptDad(String dev, int mode) throws IOException {
        ensure("net/ipv6/conf/" + dev + "/accept_dad", Integer.toString(mode));
    }

    /** {@code net.ipv4.conf.DEV.forwarding}. */
    public void setForwarding(String dev, boolean on) throws IOException {
        ensure("net/ipv4/conf/" + dev + "/forwarding", on ? "1" : "0");
    }
}
