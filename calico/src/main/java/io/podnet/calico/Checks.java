package io.podnet.calico;

import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.util.regex.Pattern;

/** Field checks shared by the kinds; each throws the resource's {@link ResourceValidationException}. */
final class Checks {
    /** Kubernetes' DNS-1123 subdomain (Calico's resource names). */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private Checks() {}

    static void name(Resource r) {
        String n = r.metadata() == null ? null : r.metadata().name();
        if (n == null || n.isEmpty()) throw r.invalid("metadata.name", "is required");
        if (n.length() > 253 || !NAME.matcher(n).matches()) {
            throw r.invalid("metadata.name", "\"" + n + "\" is not a valid name (lower-case letters, digits, '-' and '.', at most 253)");
        }
    }

    static IpAddress address(Resource r, String field, String text) {
        try {
            return IpAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw r.invalid(field, "\"" + text + "\" is not an IP address");
        }
    }

    /** An address with an optional prefix length ({@code 10.0.0.1/24}); returns the address. */
    static IpAddress addressWithLength(Resource r, String field, String text) {
        int slash = text.indexOf('/');
        IpAddress a = address(r, field, slash < 0 ? text : text.substring(0, slash));
        if (slash >= 0) {
            try {
                int len = Integer.parseInt(text.substring(slash + 1));
                if (len < 0 || len > a.family().bits()) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                throw r.invalid(field, "\"" + text + "\" has a bad prefix length");
            }
        }
        return a;
    }

    /** A masked prefix; host bits set is refused as Calico does, with the masked form as a hint. */
    static IpPrefix maskedPrefix(Resource r, String field, String text) {
        int slash = text.indexOf('/');
        if (slash < 0) throw r.invalid(field, "\"" + text + "\" is not a CIDR (no prefix length)");
        IpAddress a = address(r, field, text.substring(0, slash));
        int len;
        try {
            len = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw r.invalid(field, "\"" + text + "\" has a bad prefix length");
        }
        if (len < 0 || len > a.family().bits()) throw r.invalid(field, "\"" + text + "\" has a bad prefix length");
        if (!a.mask(len).equals(a)) {
            throw r.invalid(field, text + " has host bits set (did you mean " + a.mask(len) + "/" + len + "?)");
        }
        return IpPrefix.of(a, len);
    }
}
