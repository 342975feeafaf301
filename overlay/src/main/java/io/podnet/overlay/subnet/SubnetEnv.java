package io.podnet.overlay.subnet;

import io.podnet.net.Cidr;
import io.podnet.net.IpPrefix;
import io.podnet.net.fs.AtomicFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * flannel's {@code /run/flannel/subnet.env}: {@code FLANNEL_NETWORK}, {@code FLANNEL_SUBNET} (the lease's first
 * address with its length, e.g. 10.5.52.1/24), {@code FLANNEL_MTU}, {@code FLANNEL_IPMASQ}. Written atomically.
 */
public record SubnetEnv(IpPrefix network, Cidr subnet, int mtu, boolean ipMasq) {
    public static final Path DEFAULT_PATH = Path.of("/run/flannel/subnet.env");

    public static SubnetEnv of(IpPrefix network, IpPrefix lease, int mtu, boolean ipMasq) {
        return new SubnetEnv(network, new Cidr(lease.address().next(), lease.length()), mtu, ipMasq);
    }

    public String render() {
        return "FLANNEL_NETWORK=" + network + "\nFLANNEL_SUBNET=" + subnet + "\nFLANNEL_MTU=" + mtu + "\nFLANNEL_IPMASQ=" + ipMasq + "\n";
    }

    /** Writes the file with {@link AtomicFile} (temp, fsync, rename, directory fsync). */
    public void write(Path path) throws IOException {
        AtomicFile.write(path, render().getBytes(StandardCharsets.UTF_8));
    }

    /** Reads a subnet.env; a clear error names the missing variable (flannel: "... is missing"). */
    public static SubnetEnv read(Path path) throws IOException {
        if (!Files.exists(path)) throw new IOException("open " + path + ": no such file (is the podnet agent running in overlay mode?)");
        Map<String, String> m = new HashMap<>();
        for (String line : Files.readAllLines(path)) {
            int eq = line.indexOf('=');
            if (eq > 0) m.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
        }
        for (String k : new String[] {"FLANNEL_NETWORK", "FLANNEL_SUBNET", "FLANNEL_MTU", "FLANNEL_IPMASQ"}) {
            if (!m.containsKey(k)) throw new IOException(path + ": " + k + " is missing");
        }
        return new SubnetEnv(IpPrefix.parse(m.get("FLANNEL_NETWORK").split(",")[0]), Cidr.parse(m.get("FLANNEL_SUBNET")),
                Integer.parseInt(m.get("FLANNEL_MTU")), Boolean.parseBoolean(m.get("FLANNEL_IPMASQ")));
    }

    /** The previous lease recorded in a subnet.env, if the file exists and parses. */
    public static Optional<IpPrefix> previousLease(Path path) {
        try {
            return Optional.of(read(path).subnet().prefix());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
