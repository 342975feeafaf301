package io.podnet.cni.result;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.cni.CniException;
import io.podnet.cni.config.Json;
import java.util.List;

/** DNS settings in a result or config: {@code nameservers}, {@code domain}, {@code search}, {@code options}. */
public record Dns(List<String> nameservers, String domain, List<String> search, List<String> options) {

    public static final Dns EMPTY = new Dns(List.of(), "", List.of(), List.of());

    public Dns {
        nameservers = List.copyOf(nameservers);
        domain = domain == null ? "" : domain;
        search = List.copyOf(search);
        options = List.copyOf(options);
    }

    public boolean isEmpty() {
        return nameservers.isEmpty() && domain.isEmpty() && search.isEmpty() && options.isEmpty();
    }

    public static Dns decode(JsonNode n, String path) throws CniException {
        return new Dns(Json.strings(n, "nameservers", path), Json.string(n, "domain", path).orElse(""),
                Json.strings(n, "search", path), Json.strings(n, "options", path));
    }

    ObjectNode encode() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        if (!nameservers.isEmpty()) nameservers.forEach(o.putArray("nameservers")::add);
        if (!domain.isEmpty()) o.put("domain", domain);
        if (!search.isEmpty()) search.forEach(o.putArray("search")::add);
        if (!options.isEmpty()) options.forEach(o.putArray("options")::add);
        return o;
    }
}
