package io.podnet.cni.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.cni.CniException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code args.cni} from the config (CONVENTIONS.md "Args in network config"): {@code ips}, {@code mac} and
 * {@code labels: [{key, value}]}. Other {@code args} namespaces are kept raw in {@code raw}.
 */
public record ConfigArgs(List<String> ips, Optional<String> mac, List<Map.Entry<String, String>> labels, ObjectNode raw) {

    public static final ConfigArgs EMPTY = new ConfigArgs(List.of(), Optional.empty(), List.of(), Json.MAPPER.createObjectNode());

    public ConfigArgs {
        ips = List.copyOf(ips);
        labels = List.copyOf(labels);
        raw = raw.deepCopy();
    }

    public static ConfigArgs decode(ObjectNode args) throws CniException {
        Optional<ObjectNode> cni = Json.object(args, "cni", "args.");
        if (cni.isEmpty()) return new ConfigArgs(List.of(), Optional.empty(), List.of(), args);
        String p = "args.cni.";
        List<Map.Entry<String, String>> labels = new ArrayList<>();
        for (JsonNode l : Json.array(cni.get(), "labels", p)) {
            if (!l.isObject()) throw Json.invalid(p + "labels", "entries must be {key, value} objects");
            labels.add(Map.entry(Json.string(l, "key", p + "labels[].").orElse(""), Json.string(l, "value", p + "labels[].").orElse("")));
        }
        return new ConfigArgs(Json.strings(cni.get(), "ips", p), Json.string(cni.get(), "mac", p), labels, args);
    }
}
