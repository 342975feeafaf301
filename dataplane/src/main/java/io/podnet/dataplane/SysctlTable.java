package io.podnet.dataplane;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Kernel parameters podnet needs in the host namespace: {@code net/ipv4/ip_forward=1} for every routed or bridged
 * pod network, {@code net/ipv6/conf/BR/accept_ra=0} on bridges, {@code net/ipv4/conf/BR/route_localnet=1} on
 * Docker bridges with ports published on 127.0.0.1. Keys use slashes ({@code net/ipv4/conf/eth0.100/forwarding}).
 * <pre>{@code
 * sysctls.setSysctl("cni/pods", "net/ipv4/ip_forward", "1");
 * }</pre>
 *
 * <p><b>Complicating factors.</b>
 * <ul>
 * <li>No events: the kernel says nothing when someone writes {@code ip_forward=0}, so only the periodic resync
 *     (which reads every desired key) repairs it.</li>
 * <li>Ownership is by key, and only of the value podnet wants: a key nobody wants any more is left as it is
 *     (the kernel has no "previous value" to restore, and another program may rely on the setting).</li>
 * <li>Per-device keys exist only while the device does, and a recreated device starts from the defaults: a
 *     missing key fails (retried with backoff), and a link event for the device re-reads its keys.</li>
 * <li>Writes go through the kernel seam, which runs them on a thread inside the table's namespace:
 *     {@code /proc/sys/net} resolves against the writing thread's namespace.</li>
 * </ul>
 */
public final class SysctlTable extends TrackedTable<String, String> {
    /**
     * A key under net/, kernel/ or vm/; a segment may hold anything an interface name may (Linux allows braces,
     * '@', '.' and more in a name, and a device key names the device), but no "." or ".." segment.
     */
    private static final Pattern KEY = Pattern.compile("(net|kernel|vm)(/[^/\\s\\x00]+)+");

    public SysctlTable(Kernel kernel, InstantSource clock) {
        super(kernel, clock, new DeltaTracker<>());
    }

    @Override
    public String name() { return "sysctls"; }

    @Override
    public Stage stage() { return Stage.SYSCTLS; }

    /** {@code owner} wants {@code sysctl -w KEY=VALUE}. */
    public void setSysctl(String owner, String key, String value) {
        desire(owner, check(key), value);
    }

    /** {@code owner} no longer cares about {@code key} (its value stays as it is). */
    public void removeSysctl(String owner, String key) {
        undesire(owner, check(key));
    }

    /** {@code net/ipv4/ip_forward} or {@code net/ipv6/conf/all/forwarding}. */
    public static String forwarding(io.podnet.net.IpFamily f) {
        return f == io.podnet.net.IpFamily.V4 ? "net/ipv4/ip_forward" : "net/ipv6/conf/all/forwarding";
    }

    public Optional<String> desiredValue(String key) {
        return withTracker(t -> t.desired(key));
    }

    static String check(String key) {
        if (key == null || !KEY.matcher(key).matches() || java.util.Arrays.stream(key.split("/")).anyMatch(p -> p.equals(".") || p.equals(".."))) throw new IllegalArgumentException("invalid sysctl key \"" + key + "\"");
        return key;
    }

    /** A link event: keys under that device are re-read (a recreated device has its defaults again). */
    @Override
    public void interfaceChanged(String dev) {
        boolean mine = withTracker(t -> t.desiredView().keySet().stream().anyMatch(k -> k.contains("/" + dev + "/")));
        if (mine) queueResync();
    }

    @Override
    protected Map<String, String> listOwned() throws IOException {
        Map<String, String> out = new HashMap<>();
        for (String key : withTracker(DeltaTracker::desiredView).keySet()) kernel.readSysctl(key).ifPresent(v -> out.put(key, v));
        return out;
    }

    @Override
    protected void program(String key, String value) throws IOException {
        try {
            kernel.writeSysctl(key, value);
        } catch (NoSuchFileException e) {
            throw new IOException("sysctl " + key + " does not exist (is its device there?)", e);
        }
    }

    @Override
    protected void unprogram(String key, String observed) {
        // never desired any more: the value stays as it is
    }

    @Override
    protected String describe(String key, String value) {
        return "sysctl " + key + "=" + value;
    }
}
