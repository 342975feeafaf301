package io.podnet.policy.codec;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.policy.model.FieldError;
import io.podnet.selector.Selector;
import io.podnet.selector.SelectorException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Checks of names, labels, CIDRs and selectors shared by the readers; each records a field error and returns empty on failure. */
final class Syntax {
    static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    /** Label names and values (the part after an optional {@code prefix/}). */
    static final Pattern LABEL_NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    /** IANA_SVC_NAME, what Kubernetes allows as a port name. */
    static final Pattern IANA_SVC_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");

    private Syntax() {}

    static boolean dnsSubdomain(String s) {
        return s.length() <= 253 && DNS_SUBDOMAIN.matcher(s).matches();
    }

    static boolean dnsLabel(String s) {
        return DNS_LABEL.matcher(s).matches();
    }

    /** Kubernetes' qualified name for a label key: {@code [prefix/]name}. */
    static String labelKeyProblem(String key) {
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            if (prefix.isEmpty() || !dnsSubdomain(prefix)) return "prefix part must be a DNS subdomain (lower case alphanumerics, '-', '.')";
        }
        if (name.isEmpty() || name.length() > 63 || !LABEL_NAME.matcher(name).matches()) {
            return "name part must be 1-63 characters: alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric";
        }
        return null;
    }

    static String labelValueProblem(String value) {
        if (value.isEmpty()) return null;
        if (value.length() > 63 || !LABEL_NAME.matcher(value).matches()) {
            return "must be at most 63 characters: alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric";
        }
        return null;
    }

    static void labels(Map<String, String> labels, String path, List<FieldError> errors) {
        labels.forEach((k, v) -> {
            String p = labelKeyProblem(k);
            if (p != null) errors.add(new FieldError(path + "." + k, k, "label key " + p));
            String q = labelValueProblem(v);
            if (q != null) errors.add(new FieldError(path + "." + k, v, "label value " + q));
        });
    }

    static String portNameProblem(String name) {
        if (name.length() > 15) return "must be no more than 15 characters";
        if (!IANA_SVC_NAME.matcher(name).matches()) return "must contain only lower case alphanumerics and '-', starting and ending with an alphanumeric";
        if (name.contains("--")) return "must not contain consecutive hyphens";
        if (!name.chars().anyMatch(Character::isLetter)) return "must contain at least one letter";
        return null;
    }

    /** A CIDR; host bits are cleared (as Kubernetes and Calico accept them); a bare address when {@code bare}. */
    static Optional<IpPrefix> cidr(JsonNode v, String path, boolean bare, List<FieldError> errors) {
        if (v == null || !v.isTextual()) {
            errors.add(new FieldError(path, v == null ? null : v.toString(), "must be a CIDR string"));
            return Optional.empty();
        }
        String t = v.textValue().strip();
        try {
            if (t.indexOf('/') < 0) {
                if (!bare) throw new IllegalArgumentException("a CIDR needs a prefix length");
                return Optional.of(IpPrefix.host(IpAddress.parse(t)));
            }
            return Optional.of(Cidr.parse(t).prefix());
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError(path, v.toString(), "must be a valid CIDR (" + e.getMessage() + ")"));
            return Optional.empty();
        }
    }

    /** A Calico selector; {@code global()} only where {@code globalAllowed}. */
    static Optional<Selector> selector(Obj o, String field, boolean globalAllowed) {
        Optional<String> text = o.string(field);
        if (text.isEmpty()) return Optional.empty();
        try {
            Selector s = Selector.parse(text.get());
            if (!globalAllowed && text.get().contains("global(")) {
                o.error(o.child(field), o.raw(field), "global() can only be used in an EntityRule namespaceSelector");
                return Optional.empty();
            }
            return Optional.of(s);
        } catch (SelectorException e) {
            o.error(o.child(field), o.raw(field), "bad selector: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** {@code policyTypes} / {@code types}: Ingress and Egress, each at most once; empty when absent or empty. */
    static java.util.Set<io.podnet.policy.model.Direction> directions(Obj o, String field) {
        java.util.Set<io.podnet.policy.model.Direction> out = java.util.EnumSet.noneOf(io.podnet.policy.model.Direction.class);
        List<String> raw = o.strings(field);
        for (int i = 0; i < raw.size(); i++) {
            var d = io.podnet.policy.model.Direction.ofApiName(raw.get(i));
            String at = o.child(field) + "[" + i + "]";
            if (d == null) o.error(at, "\"" + raw.get(i) + "\"", "Unsupported value: supported values: \"Ingress\", \"Egress\"");
            else if (!out.add(d)) o.error(at, "\"" + raw.get(i) + "\"", "Duplicate value");
        }
        return out;
    }
}
