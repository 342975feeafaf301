package io.podnet.policy.compile;

import io.podnet.policy.model.CalicoPolicy;
import io.podnet.policy.model.Direction;
import io.podnet.policy.model.Kind;
import io.podnet.policy.nft.Names;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.charset.StandardCharsets;

/**
 * A policy in the compiler's one vocabulary, Calico's: Kubernetes policies arrive here converted
 * ({@link K8sConversion}). {@code notes} say, per rule, which part of the user's resource it came from; they
 * become nft rule comments.
 */
record Policy(Kind kind, CalicoPolicy spec, List<String> ingressNotes, List<String> egressNotes) {

    /** Calico's evaluation order: by {@code order} (absent = last), then by name (namespace-qualified). */
    static final Comparator<Policy> ORDER = Comparator.<Policy>comparingDouble(p -> p.spec.order().orElse(Double.POSITIVE_INFINITY))
            .thenComparing(Policy::sortName);

    Policy {
        if (spec.rules(Direction.INGRESS).size() != ingressNotes.size() || spec.rules(Direction.EGRESS).size() != egressNotes.size()) {
            throw new IllegalArgumentException("one note per rule");
        }
        ingressNotes = List.copyOf(ingressNotes);
        egressNotes = List.copyOf(egressNotes);
    }

    /** Kubernetes policies sort as Calico names them ({@code knp.default.<name>}) among Calico policies of their namespace. */
    String sortName() {
        String n = kind == Kind.K8S_NETWORK_POLICY ? "knp.default." + spec.name() : spec.name();
        return spec.namespace().map(ns -> ns + "/" + n).orElse(n);
    }

    /** {@code knp.<ns>.<name>}, {@code cnp.<ns>.<name>} or {@code gnp.<name>}: unique per policy. */
    String key() {
        return switch (kind) {
            case K8S_NETWORK_POLICY -> "knp." + spec.namespace().orElseThrow() + "." + spec.name();
            case CALICO_NETWORK_POLICY -> "cnp." + spec.namespace().orElseThrow() + "." + spec.name();
            default -> "gnp." + spec.name();
        };
    }

    /** The chain of this policy's rules for one direction: {@code pol-<key>-in|out}, hashed when the key is long. */
    String chainName(Direction d) {
        String suffix = d == Direction.INGRESS ? "-in" : "-out";
        String k = key();
        String name = "pol-" + k + suffix;
        if (name.length() > 120 || !Names.IDENTIFIER.matcher(name).matches()) name = "pol-" + hash(k) + suffix;
        return name;
    }

    /** For comments and errors: {@code NetworkPolicy x/deny-all}, {@code GlobalNetworkPolicy allow-dns}. */
    String display() {
        String k = switch (kind) {
            case K8S_NETWORK_POLICY -> "NetworkPolicy";
            case CALICO_NETWORK_POLICY -> "projectcalico.org/v3 NetworkPolicy";
            default -> "GlobalNetworkPolicy";
        };
        return k + " " + spec.namespace().map(ns -> ns + "/").orElse("") + spec.name();
    }

    List<String> notes(Direction d) {
        return d == Direction.INGRESS ? ingressNotes : egressNotes;
    }

    /** 16 hex digits of SHA-256: stable names for long keys and for sets. */
    static String hash(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
