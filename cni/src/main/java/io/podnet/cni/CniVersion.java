package io.podnet.cni;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A CNI spec version ({@code major.minor.patch}). Config without {@code cniVersion} means 0.1.0
 * (reference {@code pkg/types/create.DecodeVersion}).
 */
public record CniVersion(int major, int minor, int patch) implements Comparable<CniVersion> {

    public static final CniVersion V0_1_0 = new CniVersion(0, 1, 0);
    public static final CniVersion V0_3_0 = new CniVersion(0, 3, 0);
    public static final CniVersion V0_3_1 = new CniVersion(0, 3, 1);
    public static final CniVersion V0_4_0 = new CniVersion(0, 4, 0);
    public static final CniVersion V1_0_0 = new CniVersion(1, 0, 0);
    public static final CniVersion V1_1_0 = new CniVersion(1, 1, 0);
    /** The newest version we implement. */
    public static final CniVersion CURRENT = V1_1_0;
    /** What podnet plugins answer to VERSION, oldest first. */
    public static final List<CniVersion> SUPPORTED = List.of(V0_3_0, V0_3_1, V0_4_0, V1_0_0, V1_1_0);

    public CniVersion {
        if (major < 0 || minor < 0 || patch < 0) throw new IllegalArgumentException("negative version component");
    }

    /** Parses {@code x.y.z}; throws IllegalArgumentException on anything else. */
    public static CniVersion parse(String text) {
        if (text == null) throw new IllegalArgumentException("version is null");
        String[] p = text.split("\\.", -1);
        if (p.length != 3) throw new IllegalArgumentException("invalid version \"" + text + "\": must be x.y.z");
        try {
            return new CniVersion(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid version \"" + text + "\": must be x.y.z", e);
        }
    }

    public boolean isSupported() {
        return SUPPORTED.contains(this);
    }

    public boolean atLeast(CniVersion other) {
        return compareTo(other) >= 0;
    }

    /**
     * Version negotiation for a config list (libcni {@code conf.go}): the highest version we support among
     * the union of {@code cniVersion} and {@code cniVersions}; versions newer than ours are ignored.
     * Unparseable entries are ignored. Empty when nothing in the union is supported.
     */
    public static Optional<CniVersion> negotiate(String cniVersion, Collection<String> cniVersions) {
        CniVersion best = null;
        for (String s : union(cniVersion, cniVersions)) {
            CniVersion v;
            try {
                v = parse(s);
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (v.isSupported() && (best == null || v.compareTo(best) > 0)) best = v;
        }
        return Optional.ofNullable(best);
    }

    private static List<String> union(String one, Collection<String> many) {
        var all = new java.util.ArrayList<String>(many == null ? List.of() : many);
        if (one != null && !one.isEmpty()) all.add(one);
        return all;
    }

    /** The supported list in the {@code [a b c]} form the reference skel prints in error details. */
    public static String supportedForDetails() {
        StringBuilder sb = new StringBuilder("[");
        for (CniVersion v : SUPPORTED) {
            if (sb.length() > 1) sb.append(' ');
            sb.append(v);
        }
        return sb.append(']').toString();
    }

    @Override
    public int compareTo(CniVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) c = Integer.compare(minor, o.minor);
        return c != 0 ? c : Integer.compare(patch, o.patch);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
