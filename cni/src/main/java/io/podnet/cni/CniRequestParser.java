package io.podnet.cni;

import io.podnet.cni.config.NetConf;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns a plugin invocation (environment + stdin) into a validated {@link CniRequest}, applying the reference
 * {@code pkg/skel} rules in its order: command, required variables, container id and interface name syntax,
 * config decoding (code 6), exact version match (code 1) and the 1.1.0 floor for GC/STATUS (code 1).
 * Pure: no I/O.
 */
public final class CniRequestParser {

    /** {@code CNI_CONTAINERID}: alphanumeric first, then alphanumerics, '_', '.', '-'. */
    public static final Pattern CONTAINER_ID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.\\-]*");
    /** Linux IFNAMSIZ - 1. */
    public static final int MAX_IFNAME = 15;
    /** Env var the shim adds to name the binary that was executed (podnet or podnet-ipam). */
    public static final String PLUGIN_ENV = "PODNET_PLUGIN";

    private CniRequestParser() {}

    public static CniRequest parse(Map<String, String> env, byte[] stdin) throws CniException {
        String cmdName = env.getOrDefault("CNI_COMMAND", "");
        if (cmdName.isEmpty()) throw missing(List.of("CNI_COMMAND"));
        CniCommand cmd = CniCommand.of(cmdName).orElseThrow(() ->
                new CniException(CniErrorCode.INVALID_ENVIRONMENT, "unknown CNI_COMMAND: " + cmdName, ""));
        if (cmd != CniCommand.VERSION) checkRequired(cmd, env);
        String cid = env.getOrDefault("CNI_CONTAINERID", "");
        String ifname = env.getOrDefault("CNI_IFNAME", "");
        if (cmd.perAttachment()) {
            validateContainerId(cid);
            validateIfname(ifname);
        }
        NetConf conf = cmd == CniCommand.VERSION ? versionConf(stdin) : NetConf.decode(stdin);
        if (cmd != CniCommand.VERSION) checkVersion(cmd, conf);
        CniArgs args = cmd.perAttachment() ? CniArgs.parse(env.get("CNI_ARGS")) : CniArgs.EMPTY;
        return new CniRequest(cmd, cmd.perAttachment() ? cid : "", env.getOrDefault("CNI_NETNS", ""),
                cmd.perAttachment() ? ifname : "", args, splitPath(env.get("CNI_PATH")), stdin, conf, env.get(PLUGIN_ENV));
    }

    /** Required variables (SPEC.md table; CNI_PATH also for GC). */
    static List<String> required(CniCommand cmd) {
        return switch (cmd) {
            case ADD, CHECK -> List.of("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME");
            case DEL -> List.of("CNI_CONTAINERID", "CNI_IFNAME");
            case GC -> List.of("CNI_PATH");
            case STATUS, VERSION -> List.of();
        };
    }

    private static void checkRequired(CniCommand cmd, Map<String, String> env) throws CniException {
        List<String> absent = new ArrayList<>();
        for (String k : required(cmd)) {
            String v = env.get(k);
            if (v == null || v.isEmpty()) absent.add(k);
        }
        if (!absent.isEmpty()) throw missing(absent);
    }

    private static CniException missing(List<String> names) {
        return new CniException(CniErrorCode.INVALID_ENVIRONMENT, "required env variables [" + String.join(",", names) + "] missing", "");
    }

    /** Reference {@code utils.ValidateContainerID}: empty is code 3, bad characters code 4. */
    public static void validateContainerId(String cid) throws CniException {
        if (cid == null || cid.isEmpty()) throw new CniException(CniErrorCode.UNKNOWN_CONTAINER, "missing containerID", "");
        if (!CONTAINER_ID.matcher(cid).matches()) {
            throw new CniException(CniErrorCode.INVALID_ENVIRONMENT, "invalid characters in containerID", cid);
        }
    }

    /** Reference {@code utils.ValidateInterfaceName}: all failures are code 4. */
    public static void validateIfname(String name) throws CniException {
        if (name == null || name.isEmpty()) throw new CniException(CniErrorCode.INVALID_ENVIRONMENT, "interface name is empty", "");
        if (name.length() > MAX_IFNAME) {
            throw new CniException(CniErrorCode.INVALID_ENVIRONMENT, "interface name is too long",
                    "interface name should be less than " + (MAX_IFNAME + 1) + " characters");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new CniException(CniErrorCode.INVALID_ENVIRONMENT, "interface name is . or ..", "");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c)) {
                throw new CniException(CniErrorCode.INVALID_ENVIRONMENT, "interface name contains / or : or whitespace characters", name);
            }
        }
    }

    /** Exact-match version check (skel {@code checkVersionAndCall}) and the 1.1.0 floor for GC and STATUS. */
    static void checkVersion(CniCommand cmd, NetConf conf) throws CniException {
        CniVersion v = conf.version();
        if (!v.isSupported()) {
            throw new CniException(CniErrorCode.INCOMPATIBLE_VERSION, "incompatible CNI versions",
                    "config is \"" + conf.cniVersion() + "\", plugin supports " + CniVersion.supportedForDetails());
        }
        if ((cmd == CniCommand.GC || cmd == CniCommand.STATUS) && !v.atLeast(CniVersion.V1_1_0)) {
            throw new CniException(CniErrorCode.INCOMPATIBLE_VERSION, "config version does not allow " + cmd, "");
        }
        if (cmd == CniCommand.CHECK && !v.atLeast(CniVersion.V0_4_0)) {
            throw new CniException(CniErrorCode.INCOMPATIBLE_VERSION,
                    "configuration version \"" + conf.cniVersion() + "\" does not support the CHECK command", "");
        }
    }

    /** VERSION tolerates empty stdin (answers for the current version). */
    private static NetConf versionConf(byte[] stdin) throws CniException {
        if (stdin.length == 0 || new String(stdin, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return NetConf.decode(("{\"cniVersion\":\"" + CniVersion.CURRENT + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return NetConf.decode(stdin);
    }

    static List<Path> splitPath(String path) {
        if (path == null || path.isEmpty()) return List.of();
        List<Path> out = new ArrayList<>();
        for (String p : path.split(":")) {
            if (!p.isEmpty()) out.add(Path.of(p));
        }
        return out;
    }
}
