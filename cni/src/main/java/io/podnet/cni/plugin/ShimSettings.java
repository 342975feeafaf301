package io.podnet.cni.plugin;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Where the shim finds the agent and how long it waits, from the network config on stdin and the environment
 * (the environment wins). Read without a JSON library (the shim loads no Jackson class), by a scanner that
 * finds a member of the top-level object (or of its {@code ipam} object for {@code podnet-ipam}) and skips every
 * other value by counting brackets, so deep nesting cannot exhaust the stack. The C forwarder does the same.
 *
 * <pre>
 * config field          environment                     default
 * agentSocket           PODNET_AGENT_SOCKET             /run/podnet/cni.sock
 * agentConnectTimeout   PODNET_AGENT_CONNECT_TIMEOUT    10 s
 * agentTimeout          PODNET_AGENT_TIMEOUT            90 s   (request sent + answer read)
 * </pre>
 */
final class ShimSettings {
    static final double DEFAULT_CONNECT_TIMEOUT = 10;
    static final double DEFAULT_ANSWER_TIMEOUT = 90;
    static final String CONNECT_TIMEOUT_ENV = "PODNET_AGENT_CONNECT_TIMEOUT";
    static final String TIMEOUT_ENV = "PODNET_AGENT_TIMEOUT";

    final String socket;
    /** The socket path came from the environment (a bad path is code 4) rather than the config (code 7). */
    final boolean socketFromEnv;
    final double connectTimeout;
    final double answerTimeout;

    private ShimSettings(String socket, boolean socketFromEnv, double connectTimeout, double answerTimeout) {
        this.socket = socket;
        this.socketFromEnv = socketFromEnv;
        this.connectTimeout = connectTimeout;
        this.answerTimeout = answerTimeout;
    }

    /** A setting that cannot be used: CNI code and message. */
    static final class Invalid extends Exception {
        final int code;
        final String details;

        Invalid(int code, String msg, String details) {
            super(msg, null, false, false);
            this.code = code;
            this.details = details;
        }
    }

    static ShimSettings resolve(String plugin, byte[] stdin, Map<String, String> env) throws Invalid {
        String s = new String(stdin, StandardCharsets.UTF_8);
        int ipam = "podnet-ipam".equals(plugin) ? member(s, 0, "ipam") : -1;
        String socket = PluginMain.DEFAULT_SOCKET;
        double connect = DEFAULT_CONNECT_TIMEOUT;
        double answer = DEFAULT_ANSWER_TIMEOUT;
        int v = field(s, ipam, "agentSocket");
        if (v >= 0) {
            socket = stringAt(s, v);
            if (socket == null || socket.isEmpty()) {
                throw new Invalid(PluginMain.CODE_CONFIG, "agentSocket must be a non-empty string (a unix socket path)",
                        "network config field agentSocket");
            }
        }
        v = field(s, ipam, "agentConnectTimeout");
        if (v >= 0) connect = seconds(numberAt(s, v), PluginMain.CODE_CONFIG, "network config field agentConnectTimeout");
        v = field(s, ipam, "agentTimeout");
        if (v >= 0) answer = seconds(numberAt(s, v), PluginMain.CODE_CONFIG, "network config field agentTimeout");
        boolean fromEnv = false;
        String e = env.get(PluginMain.SOCKET_ENV);
        if (e != null && !e.isEmpty()) {
            socket = e;
            fromEnv = true;
        }
        e = env.get(CONNECT_TIMEOUT_ENV);
        if (e != null && !e.isEmpty()) connect = seconds(e, PluginMain.CODE_ENV, CONNECT_TIMEOUT_ENV);
        e = env.get(TIMEOUT_ENV);
        if (e != null && !e.isEmpty()) answer = seconds(e, PluginMain.CODE_ENV, TIMEOUT_ENV);
        return new ShimSettings(socket, fromEnv, connect, answer);
    }

    private static int field(String s, int ipam, String key) {
        int v = ipam >= 0 ? member(s, ipam, key) : -1;
        return v >= 0 ? v : member(s, 0, key);
    }

    private static double seconds(String text, int code, String what) throws Invalid {
        double v;
        try {
            v = text == null ? -1 : Double.parseDouble(text);
        } catch (NumberFormatException e) {
            v = -1;
        }
        if (!(v > 0) || v > 86400) throw new Invalid(code, "agent timeouts must be positive numbers of seconds (at most 86400)", what);
        return v;
    }

    /** The top-level string {@code cniVersion} if it is a plain x.y.z, else "". */
    static String cniVersion(byte[] stdin) {
        String s = new String(stdin, StandardCharsets.UTF_8);
        int v = member(s, 0, "cniVersion");
        String text = v < 0 ? null : stringAt(s, v);
        if (text == null) return "";
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c == '.' || (c >= '0' && c <= '9'))) return "";
        }
        return text;
    }

    /** Index of the value of member {@code key} of the object starting at (or after whitespace from) {@code p}; -1 if none. */
    static int member(String s, int p, String key) {
        p = ws(s, p);
        if (p >= s.length() || s.charAt(p) != '{') return -1;
        p = ws(s, p + 1);
        while (p < s.length() && s.charAt(p) == '"') {
            int after = skipString(s, p);
            if (after < 0) return -1;
            boolean match = after - 1 - (p + 1) == key.length() && s.startsWith(key, p + 1);
            p = ws(s, after);
            if (p >= s.length() || s.charAt(p) != ':') return -1;
            p = ws(s, p + 1);
            if (match) return p;
            p = skipValue(s, p);
            if (p < 0) return -1;
            p = ws(s, p);
            if (p >= s.length() || s.charAt(p) != ',') return -1;
            p = ws(s, p + 1);
        }
        return -1;
    }

    private static int ws(String s, int p) {
        while (p < s.length() && (s.charAt(p) == ' ' || s.charAt(p) == '\t' || s.charAt(p) == '\n' || s.charAt(p) == '\r')) p++;
        return p;
    }

    private static int skipString(String s, int p) {
        for (p++; p < s.length(); p++) {
            char c = s.charAt(p);
            if (c == '\\') {
                p++;
            } else if (c == '"') {
                return p + 1;
            }
        }
        return -1;
    }

    private static int skipValue(String s, int p) {
        if (p >= s.length()) return -1;
        char c = s.charAt(p);
        if (c == '"') return skipString(s, p);
        if (c == '{' || c == '[') {
            long depth = 0;
            while (p < s.length()) {
                c = s.charAt(p);
                if (c == '"') {
                    p = skipString(s, p);
                    if (p < 0) return -1;
                    continue;
                }
                if (c == '{' || c == '[') {
                    depth++;
                } else if ((c == '}' || c == ']') && --depth == 0) {
                    return p + 1;
                }
                p++;
            }
            return -1;
        }
        while (p < s.length() && ",}] \t\n\r".indexOf(s.charAt(p)) < 0) p++;
        return p;
    }

    /** The JSON string at {@code p} with its escapes decoded; null if it is not a string or contains NUL. */
    private static String stringAt(String s, int p) {
        if (p >= s.length() || s.charAt(p) != '"') return null;
        StringBuilder sb = new StringBuilder();
        for (p++; p < s.length(); p++) {
            char c = s.charAt(p);
            if (c == '"') return sb.toString();
            if (c == '\\') {
                if (++p >= s.length()) return null;
                char e = s.charAt(p);
                switch (e) {
                    case '"', '\\', '/' -> c = e;
                    case 'n' -> c = '\n';
                    case 't' -> c = '\t';
                    case 'r' -> c = '\r';
                    case 'b' -> c = '\b';
                    case 'f' -> c = '\f';
                    case 'u' -> {
                        if (p + 4 >= s.length()) return null;
                        try {
                            c = (char) Integer.parseInt(s.substring(p + 1, p + 5), 16);
                        } catch (NumberFormatException x) {
                            return null;
                        }
                        p += 4;
                    }
                    default -> {
                        return null;
                    }
                }
            }
            if (c == 0) return null;
            sb.append(c);
        }
        return null;
    }

    private static String numberAt(String s, int p) {
        int end = p;
        while (end < s.length() && "0123456789.eE+-".indexOf(s.charAt(end)) >= 0) end++;
        return end == p ? null : s.substring(p, end);
    }
}
