package io.podnet.cni.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.cni.Attachment;
import io.podnet.cni.CniErrorCode;
import io.podnet.cni.CniException;
import io.podnet.cni.CniVersion;
import io.podnet.cni.result.Dns;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The per-invocation plugin config a runtime writes to the plugin's stdin (SPEC.md "Derived execution
 * configuration"): the plugin object with {@code cniVersion} and {@code name} inserted, plus {@code runtimeConfig},
 * {@code args}, {@code prevResult} and, for GC, the valid attachments. Unknown keys stay in {@link #raw()}.
 *
 * @param cniVersion       verbatim; "0.1.0" when absent (reference {@code DecodeVersion})
 * @param name             network name ("" if absent, e.g. VERSION)
 * @param type             plugin type ("" if absent)
 * @param ipam             the {@code ipam} section, if any
 * @param validAttachments GC: {@code cni.dev/valid-attachments}, or {@code cni.dev/attachments} from the 1.1.0 tag
 */
public record NetConf(String cniVersion, String name, String type, Optional<ObjectNode> ipam, RuntimeConfig runtimeConfig,
                      ConfigArgs args, Optional<JsonNode> prevResult, List<Attachment> validAttachments, Optional<Dns> dns,
                      ObjectNode raw) {

    public static final String VALID_ATTACHMENTS = "cni.dev/valid-attachments";
    public static final String ATTACHMENTS_LEGACY = "cni.dev/attachments";

    public NetConf {
        ipam = ipam.map(ObjectNode::deepCopy);
        prevResult = prevResult.map(JsonNode::deepCopy);
        validAttachments = List.copyOf(validAttachments);
        raw = raw.deepCopy();
    }

    @Override
    public ObjectNode raw() {
        return raw.deepCopy();
    }

    @Override
    public Optional<ObjectNode> ipam() {
        return ipam.map(ObjectNode::deepCopy);
    }

    /** The {@code ipam.type}, if an ipam section names one. */
    public Optional<String> ipamType() {
        return ipam.map(i -> i.path("type").asText("")).filter(s -> !s.isEmpty());
    }

    /** The parsed version; decode already rejected unparseable text. */
    public CniVersion version() {
        return CniVersion.parse(cniVersion);
    }

    /** The longest network name podnet accepts: the name becomes file names (IPAM directory, network record). */
    public static final int MAX_NAME = 200;
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.\\-]*");

    /**
     * The spec's rule for a network name (an alphanumeric first character, then alphanumerics, {@code _}, {@code .},
     * {@code -}), checked at the boundary because the name reaches file paths and nft identifiers; an empty name
     * (VERSION) passes. Code 7 naming the field otherwise.
     */
    public static void checkName(String name) throws CniException {
        if (name.isEmpty()) return;
        if (name.length() > MAX_NAME || !NAME.matcher(name).matches()) {
            String shown = name.length() > 40 ? name.substring(0, 40) + "..." : name;
            throw Json.invalid("name", "\"" + shown.replaceAll("[^\\x20-\\x7e]", "?") + "\" is not a valid network name (an alphanumeric first"
                    + " character, then alphanumerics, _, . and -, at most " + MAX_NAME + " characters)");
        }
    }

    /** Decodes stdin bytes: bad JSON or a non-string version is code 6, wrongly typed known fields code 7. */
    public static NetConf decode(byte[] stdin) throws CniException {
        ObjectNode o = Json.parseObject(stdin, "network config");
        JsonNode v = o.get("cniVersion");
        String version = "0.1.0";
        if (v != null && !v.isNull()) {
            if (!v.isTextual()) throw new CniException(CniErrorCode.DECODING_FAILURE, "cniVersion must be a string", "");
            version = v.asText();
        }
        try {
            CniVersion.parse(version);
        } catch (IllegalArgumentException e) {
            throw new CniException(CniErrorCode.DECODING_FAILURE, e.getMessage(), "");
        }
        Optional<ObjectNode> rcNode = Json.object(o, "runtimeConfig", "");
        RuntimeConfig rc = rcNode.isPresent() ? RuntimeConfig.decode(rcNode.get()) : RuntimeConfig.EMPTY;
        Optional<ObjectNode> argsNode = Json.object(o, "args", "");
        ConfigArgs args = argsNode.isPresent() ? ConfigArgs.decode(argsNode.get()) : ConfigArgs.EMPTY;
        Optional<Dns> dns = Json.object(o, "dns", "").isPresent() ? Optional.of(Dns.decode(o.get("dns"), "dns.")) : Optional.empty();
        JsonNode prev = o.get("prevResult");
        String name = Json.string(o, "name", "").orElse("");
        checkName(name);
        return new NetConf(version, name, Json.string(o, "type", "").orElse(""),
                Json.object(o, "ipam", ""), rc, args,
                Optional.ofNullable(prev).filter(p -> !p.isNull()), attachments(o), dns, o);
    }

    private static List<Attachment> attachments(ObjectNode o) throws CniException {
        String key = o.has(VALID_ATTACHMENTS) ? VALID_ATTACHMENTS : ATTACHMENTS_LEGACY;
        List<Attachment> out = new ArrayList<>();
        for (JsonNode a : Json.array(o, key, "")) {
            String cid = a.path("containerID").asText("");
            String ifn = a.path("ifname").asText("");
            if (cid.isEmpty() || ifn.isEmpty()) throw Json.invalid(key, "entries need containerID and ifname: " + a);
            out.add(new Attachment(cid, ifn));
        }
        return out;
    }
}
