package io.podnet.policy.model;

import java.util.regex.Pattern;

/** A port in a rule: a number or an inclusive range ({@link Range}), or a port name resolved on endpoints ({@link Named}). */
public sealed interface PortSpec {

    /** Calico's port names ({@code numorstring}); Kubernetes' IANA_SVC_NAME is a subset. */
    Pattern NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,128}");

    /** {@code min..max} inclusive; a single port has {@code min == max}. */
    record Range(int min, int max) implements PortSpec {
        public Range {
            if (min < 0 || max > 65535 || min > max) throw new IllegalArgumentException("bad port range " + min + ":" + max);
        }

        public static Range single(int port) { return new Range(port, port); }

        public boolean isSingle() { return min == max; }

        /** The API spelling: {@code 80} or {@code 8000:8080}. */
        @Override public String toString() { return isSingle() ? Integer.toString(min) : min + ":" + max; }
    }

    /** A named port ({@code http}), resolved to a number per endpoint from its {@link NamedPort}s. */
    record Named(String name) implements PortSpec {
        public Named {
            if (name == null || !NAME.matcher(name).matches()) throw new IllegalArgumentException("bad port name: " + name);
        }

        @Override public String toString() { return name; }
    }
}
