package io.podnet.cni.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.cni.CniErrorCode;
import io.podnet.cni.CniException;
import io.podnet.cni.CniVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A network configuration list (SPEC.md section 1, libcni {@code conf.go}): a {@code .conflist} file, or a
 * single-plugin {@code .conf}/{@code .json} file promoted to a one-element list as libcni does.
 */
public record NetworkConfigList(String cniVersion, List<String> cniVersions, String name, boolean disableCheck,
                                boolean disableGC, boolean loadOnlyInlinedPlugins, List<PluginConf> plugins, ObjectNode raw) {

    /** Network names: alphanumeric first, then alphanumerics, '_', '.', '-' (SPEC.md). */
    public static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.\\-]*");

    public NetworkConfigList {
        cniVersions = List.copyOf(cniVersions);
        plugins = List.copyOf(plugins);
        raw = raw.deepCopy();
    }

    /** Reads a file: {@code .conflist} as a list, {@code .conf}/{@code .json} as a single plugin config. */
    public static NetworkConfigList load(Path file) throws CniException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CniException(CniErrorCode.IO_FAILURE, "cannot read network config " + file + ": " + e.getMessage(), "");
        }
        String f = file.getFileName().toString();
        return f.endsWith(".conflist") ? parseList(bytes) : parseSingle(bytes);
    }

    /** Parses a {@code .conflist}. Missing name/plugins/type are code 7 naming the field. */
    public static NetworkConfigList parseList(byte[] bytes) throws CniException {
        ObjectNode o = Json.parseObject(bytes, "network config list");
        String name = requireName(o);
        List<JsonNode> ps = Json.array(o, "plugins", "");
        if (ps.isEmpty()) throw Json.invalid("plugins", "a config list needs at least one plugin");
        List<PluginConf> plugins = new ArrayList<>();
        for (int i = 0; i < ps.size(); i++) {
            plugins.add(plugin(ps.get(i), "plugins[" + i + "]."));
        }
        return new NetworkConfigList(Json.string(o, "cniVersion", "").orElse("0.1.0"), Json.strings(o, "cniVersions", ""),
                name, Json.bool(o, "disableCheck", ""), Json.bool(o, "disableGC", ""),
                Json.bool(o, "loadOnlyInlinedPlugins", ""), plugins, o);
    }

    /** Parses a single-plugin {@code .conf} and wraps it in a list (libcni {@code ConfListFromConf}). */
    public static NetworkConfigList parseSingle(byte[] bytes) throws CniException {
        ObjectNode o = Json.parseObject(bytes, "network config");
        String name = requireName(o);
        PluginConf p = plugin(o, "");
        return new NetworkConfigList(Json.string(o, "cniVersion", "").orElse("0.1.0"), List.of(), name, false, false,
                false, List.of(p), o);
    }

    private static String requireName(ObjectNode o) throws CniException {
        String name = Json.string(o, "name", "").orElseThrow(() -> Json.invalid("name", "is required"));
        if (!NAME.matcher(name).matches()) {
            throw Json.invalid("name", "\"" + name + "\" must start with a letter or digit and contain only letters, digits, '_', '.', '-'");
        }
        return name;
    }

    private static PluginConf plugin(JsonNode n, String path) throws CniException {
        if (!(n instanceof ObjectNode o)) throw Json.invalid(path, "plugin must be an object");
        String type = Json.string(o, "type", path).orElseThrow(() -> Json.invalid(path + "type", "is required"));
        if (type.isEmpty() || type.contains("/") || type.contains("\\")) {
            throw Json.invalid(path + "type", "\"" + type + "\" must be a plain binary name");
        }
        Map<String, Boolean> caps = new LinkedHashMap<>();
        Optional<ObjectNode> c = Json.object(o, "capabilities", path);
        if (c.isPresent()) {
            for (var e : c.get().properties()) {
                if (!e.getValue().isBoolean()) throw Json.invalid(path + "capabilities." + e.getKey(), "must be a boolean");
                caps.put(e.getKey(), e.getValue().asBoolean());
            }
        }
        return new PluginConf(type, caps, o);
    }

    /** The version to run this list with: highest supported of {@code cniVersion} and {@code cniVersions}. */
    public Optional<CniVersion> negotiatedVersion() {
        return CniVersion.negotiate(cniVersion, cniVersions);
    }

    /**
     * The stdin for plugin {@code index} (SPEC.md "Deriving execution configuration from plugin configuration"):
     * inserts {@code cniVersion} and {@code name}; {@code runtimeConfig} = the capability args the plugin declared;
     * {@code prevResult} if given; removes {@code capabilities}.
     */
    public ObjectNode invocationConfig(int index, CniVersion version, Map<String, JsonNode> capabilityArgs,
                                       Optional<JsonNode> prevResult) {
        PluginConf p = plugins.get(index);
        ObjectNode out = p.raw();
        out.put("cniVersion", version.toString());
        out.put("name", name);
        out.remove("capabilities");
        ObjectNode rc = Json.MAPPER.createObjectNode();
        capabilityArgs.forEach((k, v) -> {
            if (p.hasCapability(k)) rc.set(k, v.deepCopy());
        });
        if (!rc.isEmpty()) out.set("runtimeConfig", rc);
        prevResult.ifPresent(r -> out.set("prevResult", r.deepCopy()));
        return out;
    }
}
