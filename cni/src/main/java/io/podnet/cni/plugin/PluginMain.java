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
 * <p>Usage: {@code java -cp podnet-cni.jar io.podnet.cni.plugin.PluginMain [podnet|podnet-ipam]}; the socket and the
 * timeouts come from the config and the environment ({@link ShimSettings}). Every failure is one CNI error JSON
 * with the code the C forwarder gives (cni/README.md "Failures of the shim"). Deliberately uses no lambdas, regexes, records
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
    static final int CODE_ENV = 4;
    static final int CODE_IO = 5;
    static final int CODE_CONFIG = 7;
    /** sun_path holds 108 bytes including the terminating NUL. */
    static final int MAX_SOCKET_PATH = 107;

    private PluginMain() {}

    public static void main(String[] args) {
        int rc = run(args, System.getenv(), System.in, System.out, System.err);
        System.out.flush();
        System.exit(rc);
    }

    /** The whole plugin run; returns the exit code. Every failure prints one CNI error JSON and returns 1. */
    static int run(String[] args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
        String command = orEmpty(env.get("CNI_COMMAND"));
        byte[] stdin;
        try {
            stdin = in.readNBytes(ShimFrames.MAX_PART + 1); // bounded: never buffer more than one frame part
        } catch (IOException e) {
            return fail(out, CODE_IO, "failed to read stdin", e.toString(), "");
        }
        String version = cniVersion(stdin);
        if (stdin.length > ShimFrames.MAX_PART) {
            return fail(out, CODE_CONFIG, "network config on stdin is larger than the 16 MiB limit", "stdin", version);
        }
        if (command.equals("VERSION")) {
            out.print(new StringBuilder().append("{\"cniVersion\":\"").append(version.isEmpty() ? "1.1.0" : version)
                    .append("\",\"supportedVersions\":").append(SUPPORTED_JSON).append('}').toString());
            return 0;
        }
        String plugin = args.length > 0 ? args[0] : env.get(PLUGIN_ENV);
        Map<String, String> fwd = forwardedEnv(env, plugin);
        ShimSettings s;
        try {
            s = ShimSettings.resolve(fwd.get(PLUGIN_ENV), stdin, env);
        } catch (ShimSettings.Invalid e) {
            return fail(out, e.code, e.getMessage(), e.details, version);
        }
        int envBytes = 0;
        for (Map.Entry<String, String> e : fwd.entrySet()) envBytes += e.getKey().length() + e.getValue().length() + 2;
        if (envBytes > ShimFrames.MAX_PART) {
            return fail(out, CODE_ENV, "CNI_* environment is larger than the 16 MiB limit", "environment", version);
        }
        int unavailable = command.equals("STATUS") ? CODE_NOT_AVAILABLE : CODE_TRY_AGAIN;
        String source = s.socketFromEnv ? SOCKET_ENV : "network config field agentSocket";
        int badPath = s.socketFromEnv ? CODE_ENV : CODE_CONFIG;
        int pathBytes = s.socket.getBytes(StandardCharsets.UTF_8).length;
        if (pathBytes > MAX_SOCKET_PATH) {
            return fail(out, badPath, new StringBuilder("podnet agent socket path is too long (").append(pathBytes)
                    .append(" bytes, the limit is ").append(MAX_SOCKET_PATH).append("): ").append(s.socket).toString(), source, version);
        }
        ShimFrames.Response r;
        Watchdog dog = new Watchdog();
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open(java.net.StandardProtocolFamily.UNIX);
            dog.arm(ch, s.connectTimeout);
            try {
                ch.connect(UnixDomainSocketAddress.of(s.socket));
            } catch (IOException e) {
                if (dog.fired) {
                    return fail(out, unavailable, new StringBuilder("podnet agent is not reachable at ").append(s.socket)
                            .append(": connect timed out after ").append(s.connectTimeout).append(" s (agent hung or overloaded)").toString(),
                            "agentConnectTimeout / " + ShimSettings.CONNECT_TIMEOUT_ENV, version);
                }
                return connectFailed(out, e, s, source, badPath, unavailable, version);
            }
            dog.arm(ch, s.answerTimeout);
            ShimFrames.writeRequest(ch, fwd, stdin);
            r = ShimFrames.readResponse(ch); // whole answer before any output: one document, never two
        } catch (IOException | RuntimeException e) {
            if (dog.fired) {
                return fail(out, unavailable, new StringBuilder("podnet agent at ").append(s.socket).append(" did not answer within ")
                        .append(s.answerTimeout).append(" s (agent hung or overloaded)").toString(),
                        "agentTimeout / " + ShimSettings.TIMEOUT_ENV, version);
            }
            return fail(out, unavailable, new StringBuilder("podnet agent at ").append(s.socket).append(" failed mid-request").toString(),
                    e.toString(), version);
        } finally {
            dog.disarm();
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // nothing to do
                }
            }
        }
        out.write(r.stdout, 0, r.stdout.length);
        err.write(r.stderr, 0, r.stderr.length);
        return r.exitCode;
    }

    /** Maps a refused connect to its CNI code: the kernel's reason is in the message (strerror). */
    private static int connectFailed(PrintStream out, IOException e, ShimSettings s, String source, int badPath, int unavailable,
                                     String version) {
        String why = orEmpty(e.getMessage());
        if (why.contains("Permission denied") || why.contains("Operation not permitted")) {
            return fail(out, CODE_IO, new StringBuilder("permission denied on the podnet agent socket ").append(s.socket)
                    .append(" (the plugin must run as root)").toString(), why, version);
        }
        if (why.contains("Not a directory") || why.contains("Too many levels of symbolic links")) {
            return fail(out, badPath, new StringBuilder("the podnet agent socket path ").append(s.socket).append(" is not usable").toString(),
                    why, version);
        }
        java.io.File f = new java.io.File(s.socket);
        if (why.contains("Connection refused") && (f.isFile() || f.isDirectory())) {
            return fail(out, badPath, new StringBuilder(s.socket).append(" is not a unix socket (check ").append(source).append(')').toString(),
                    "not a socket", version);
        }
        String reason = why.contains("No such file") ? ": no such socket (agent not running, or " + source + " names the wrong path)"
                : why.contains("Connection refused") ? ": nothing listens (agent stopped or crashed)" : "";
        return fail(out, unavailable, new StringBuilder("podnet agent is not reachable at ").append(s.socket).append(reason).toString(),
                e.toString(), version);
    }

    /**
     * Closes the channel when its deadline passes, which wakes a blocked connect, write or read with an
     * AsynchronousCloseException. A platform daemon thread, started only when the agent is contacted.
     */
    private static final class Watchdog extends Thread {
        private SocketChannel channel;
        private long deadlineNanos;
        volatile boolean fired;

        Watchdog() {
            super("podnet-shim-timeout");
            setDaemon(true);
        }

        synchronized void arm(SocketChannel ch, double seconds) {
            channel = ch;
            deadlineNanos = System.nanoTime() + (long) (seconds * 1e9);
            if (getState() == State.NEW) start();
            notifyAll();
        }

        synchronized void disarm() {
            channel = null;
            notifyAll();
        }

        @Override
        public synchronized void run() {
            try {
                while (channel != null) {
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0) {
                        fired = true;
                        channel.close();
                        return;
                    }
                    wait(left / 1_000_000 + 1);
                }
            } catch (InterruptedException | IOException e) {
                // exit
            }
        }
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

    /** The top-level {@code "cniVersion"} if it is a plain x.y.z string; "" otherwise. */
    static String cniVersion(byte[] stdin) {
        return ShimSettings.cniVersion(stdin);
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
