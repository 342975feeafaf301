package io.podnet.cni;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code CNI_ARGS}: {@code K1=V1;K2=V2} (SPEC.md). Kubernetes sends {@code IgnoreUnknown=1;K8S_POD_NAMESPACE=..;
 * K8S_POD_NAME=..;K8S_POD_INFRA_CONTAINER_ID=..}; podman sends its static {@code IP=} and {@code MAC=} here.
 * Values may contain {@code '='} (split at the first one). Order is kept; later duplicates win in {@link #get}.
 */
public record CniArgs(List<Pair> pairs) {

    public static final CniArgs EMPTY = new CniArgs(List.of());

    /** One {@code K=V} entry. */
    public record Pair(String key, String value) {
        public Pair {
            if (key == null || key.isEmpty()) throw new IllegalArgumentException("CNI_ARGS key is empty");
            if (value == null) value = "";
        }
    }

    public CniArgs {
        pairs = List.copyOf(pairs);
    }

    /** Parses the variable; empty or null input gives {@link #EMPTY}. A pair without '=' is error code 4. */
    public static CniArgs parse(String text) throws CniException {
        if (text == null || text.isBlank()) return EMPTY;
        List<Pair> out = new ArrayList<>();
        for (String item : text.split(";")) {
            if (item.isEmpty()) continue;
            int eq = item.indexOf('=');
            if (eq <= 0) {
                throw new CniException(CniErrorCode.INVALID_ENVIRONMENT, "CNI_ARGS: invalid pair \"" + item + "\"", text);
            }
            out.add(new Pair(item.substring(0, eq), item.substring(eq + 1)));
        }
        return new CniArgs(out);
    }

    public Optional<String> get(String key) {
        String v = null;
        for (Pair p : pairs) {
            if (p.key.equals(key)) v = p.value;
        }
        return Optional.ofNullable(v);
    }

    /** {@code IgnoreUnknown=1} or {@code =true} (reference {@code types.CommonArgs}). */
    public boolean ignoreUnknown() {
        return get("IgnoreUnknown").map(v -> v.equals("1") || v.equalsIgnoreCase("true")).orElse(false);
    }

    /** Keys not in {@code known}, unless IgnoreUnknown is set; for plugins that want the strict reference behaviour. */
    public void requireKnown(java.util.Set<String> known) throws CniException {
        if (ignoreUnknown()) return;
        for (Pair p : pairs) {
            if (!known.contains(p.key) && !p.key.equals("IgnoreUnknown")) {
                throw new CniException(CniErrorCode.INVALID_ENVIRONMENT, "CNI_ARGS: unknown key \"" + p.key + "\"", "");
            }
        }
    }

    /** The {@code IP=} values (comma-separated allowed), verbatim; may carry a prefix length. */
    public List<String> ips() {
        return get("IP").map(v -> List.of(v.split(","))).orElse(List.of()).stream()
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    public Optional<String> mac() {
        return get("MAC");
    }

    public Optional<String> k8sPodNamespace() {
        return get("K8S_POD_NAMESPACE");
    }

    public Optional<String> k8sPodName() {
        return get("K8S_POD_NAME");
    }

    public Optional<String> k8sPodInfraContainerId() {
        return get("K8S_POD_INFRA_CONTAINER_ID");
    }

    public Optional<String> k8sPodUid() {
        return get("K8S_POD_UID");
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Pair p : pairs) {
            if (!sb.isEmpty()) sb.append(';');
            sb.append(p.key).append('=').append(p.value);
        }
        return sb.toString();
    }
}
