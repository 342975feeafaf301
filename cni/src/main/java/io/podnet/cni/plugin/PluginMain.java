package io.podnet.cni.plugin;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The podnet CNI plugin executable. Answers VERSION itself; forwards every other command (environment
 * {@code CNI_*} + stdin) to the agent over a unix socket ({@link ShimFrames}) and replays the agent's stdout,
 * stderr and exit code. Without an agent it prints CNI error 11 ("try again later"), or 50 for STATUS.
 *
 * <p>Usage: {@code java -cp podnet-cni.jar io.podnet.cni.plugin.PluginMain [podnet|podnet-ipam]}; the socket is
 * {@code $PODNET_AGENT_SOCKET} or {@code /run/podnet/cni.sock}. Deliberately uses no lambdas, regexes, records
 * or string-concatenation call sites on the hot path: each would load and link extra JDK classes at start-up.
 */
public final class PluginMain {
    public static final String DEFAULT_SOCKET = "/run/podnet/cni.sock";
    public static final String SOCKET_ENV = "PODNET_AGENT_SOCKET";
    public static final String PLUGIN_ENV = "PODNET_PLUGIN";
    /** Spec versions we answer to VERSION; must match {@code CniVersion.SUPPORTED}. */
    static final String SUPPORTED_JSON = "[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]";
    static final int CODE_TRY_AGAIN = 11;
    static final int CODE_NOT_AVAILABLE = 50;
    static final int CODE_IO = 5;

    private PluginMain() {}

    public static void main(String[] args) {
        int rc = run(args, System.getenv(), System.in, System.out, System.err);
        System.out.flush();
        System.exit(rc);
    }

    /** The whole plugin run; returns the exit code. */
    static int run(String[] args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
        String command = orEmpty(env.get("CNI_COMMAND"));
        byte[] stdin;
        try {
            stdin = in.readAllBytes();
        } catch (IOException e) {
            return fail(out, CODE_IO, "failed to read stdin", e.toString(), "");
        }
        String version = cniVersion(stdin);
        if (command.equals("VERSION")) {
            out.print(new StringBuilder().append("{\"cniVersion\":\"").append(version.isEmpty() ? "1.1.0" : version)
                    .append("\",\"supportedVersions\":").append(SUPPORTED_JSON).append('}').toString());
            return 0;
        }
        String socket = env.get(SOCKET_ENV);
        if (socket == null || socket.isEmpty()) socket = DEFAULT_SOCKET;
        Map<String, String> fwd = forwardedEnv(env, args.length > 0 ? args[0] : env.get(PLUGIN_ENV));
        ShimFrames.Response r;
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ShimFrames.writeRequest(ch, fwd, stdin);
            r = ShimFrames.readResponse(ch);
        } catch (IOException | RuntimeException e) {
            int code = command.equals("STATUS") ? CODE_NOT_AVAILABLE : CODE_TRY_AGAIN;
            String msg = new StringBuilder("podnet agent is not reachable at ").append(socket).toString();
            return fail(out, code, msg, e.toString(), version);
        }
        out.write(r.stdout, 0, r.stdout.length);
        err.write(r.stderr, 0, r.stderr.length);
        return r.exitCode;
    }

    /** CNI_* variables plus PODNET_PLUGIN (which binary ran: podnet or podnet-ipam). */
    static Map<String, String> forwardedEnv(Map<String, String> env, String plugin) {
        Map<String, String> fwd = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (e.getKey().startsWith("CNI_")) fwd.put(e.getKey(), e.getValue());
        }
        fwd.put(PLUGIN_ENV, plugin == null || plugin.isEmpty() ? "podnet" : plugin);
        return fwd;
    }

    private static int fail(PrintStream out, int code, String msg, String details, String version) {
        StringBuilder sb = new StringBuilder("{\"cniVersion\":\"").append(version.isEmpty() ? "1.1.0" : version)
                .append("\",\"code\":").append(code).append(",\"msg\":\"");
        escape(sb, msg).append("\",\"details\":\"");
        escape(sb, details).append("\"}");
        out.print(sb.toString());
        return 1;
    }

    static StringBuilder escape(StringBuilder sb, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append("\\u00");
                sb.append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
            } else {
                sb.append(c);
            }
        }
        return sb;
    }

    /**
     * The top-level {@code "cniVersion"} string from the config, without a JSON library: finds the key, skips
     * {@code :} and whitespace, reads a plain string. Returns "" when absent or not a simple string.
     */
    static String cniVersion(byte[] stdin) {
        String s = new String(stdin, StandardCharsets.UTF_8);
        int k = s.indexOf("\"cniVersion\"");
        if (k < 0) return "";
        int i = k + 12;
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\n' || s.charAt(i) == '\r' || s.charAt(i) == ':')) i++;
        if (i >= s.length() || s.charAt(i) != '"') return "";
        int end = s.indexOf('"', i + 1);
        if (end < 0) return "";
        String v = s.substring(i + 1, end);
        for (int j = 0; j < v.length(); j++) {
            char c = v.charAt(j);
            if (!(c == '.' || (c >= '0' && c <= '9'))) return "";
        }
        return v;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
