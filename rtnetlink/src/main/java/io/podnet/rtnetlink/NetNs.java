package io.podnet.rtnetlink;

import io.podnet.rtnetlink.sys.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A network namespace, named by a path to its nsfs file: {@code /run/netns/NAME} (named, like {@code ip netns}),
 * {@code /proc/PID/ns/net}, or any bind mount. Work that must run inside a namespace (opening sockets, TUN
 * devices, {@code /proc/sys/net} writes, forking {@code nft}) goes through {@link Namespaces}, which uses dedicated
 * platform threads: {@code setns} never touches a virtual thread or a pooled carrier.
 */
public final class NetNs {
    /** Where named namespaces live, as in iproute2. */
    public static final Path NETNS_RUN_DIR = Path.of("/run/netns");

    private final Path path;

    private NetNs(Path path) {
        this.path = path;
    }

    /** The namespace of this process (its initial thread). */
    public static NetNs current() { return new NetNs(Path.of("/proc/self/ns/net")); }

    /** A named namespace: {@code /run/netns/NAME}. */
    public static NetNs named(String name) {
        checkName(name);
        return new NetNs(NETNS_RUN_DIR.resolve(name));
    }

    /** The namespace at an nsfs path. */
    public static NetNs at(Path path) { return new NetNs(path); }

    /** The namespace of process {@code pid}. */
    public static NetNs ofPid(long pid) { return new NetNs(Path.of("/proc", Long.toString(pid), "ns", "net")); }

    private static void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("invalid namespace name: " + name);
        }
    }

    public Path path() { return path; }

    /** The name when this is a {@code /run/netns} namespace. */
    public Optional<String> name() {
        return path.getParent() != null && path.getParent().equals(NETNS_RUN_DIR)
                ? Optional.of(path.getFileName().toString()) : Optional.empty();
    }

    public boolean isCurrent() { return path.equals(Path.of("/proc/self/ns/net")); }

    public boolean exists() { return Files.exists(path); }

    /**
     * Creates a named namespace. Equivalent to {@code ip netns add NAME}: makes {@code /run/netns} a shared
     * mount, creates the file, then on a throwaway platform thread {@code unshare(CLONE_NEWNET)} and bind-mounts
     * the thread's namespace onto the file. Fails with EEXIST if the name is taken.
     */
    public static NetNs create(String name) throws IOException {
        NetNs ns = named(name);
        Files.createDirectories(NETNS_RUN_DIR);
        ensureSharedRunDir();
        try {
            Files.createFile(ns.path);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new SyscallException("netns add " + name, Errno.EEXIST, "namespace exists");
        }
        try {
            Namespaces.onFreshThread(() -> {
                Libc.unshare(Libc.CLONE_NEWNET);
                Libc.mount("/proc/thread-self/ns/net", ns.path.toString(), "none", Libc.MS_BIND);
                return null;
            });
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(ns.path);
            throw e;
        }
        return ns;
    }

    private static void ensureSharedRunDir() throws IOException {
        try {
            Libc.mount("", NETNS_RUN_DIR.toString(), "none", Libc.MS_SHARED | Libc.MS_REC);
        } catch (SyscallException e) {
            if (e.errno().code() != Errno.EINVAL.code()) throw e;
            // not a mount point yet: bind it onto itself, then make it shared (what iproute2 does)
            Libc.mount(NETNS_RUN_DIR.toString(), NETNS_RUN_DIR.toString(), "none", Libc.MS_BIND | Libc.MS_REC);
            Libc.mount("", NETNS_RUN_DIR.toString(), "none", Libc.MS_SHARED | Libc.MS_REC);
        }
    }

    /** Deletes a named namespace: equivalent to {@code ip netns del NAME} (lazy unmount, then unlink). */
    public void delete() throws IOException {
        if (name().isEmpty()) throw new IllegalStateException("only named namespaces can be deleted: " + path);
        try {
            Libc.umount2(path.toString(), Libc.MNT_DETACH);
        } catch (SyscallException e) {
            if (e.errno().code() != Errno.EINVAL.code() && e.errno().code() != Errno.ENOENT.code()) throw e;
        }
        Files.deleteIfExists(path);
    }

    /** Deletes the namespace if it exists; true if something was deleted. */
    public boolean deleteIfPresent() throws IOException {
        if (!Files.exists(path)) return false;
        delete();
        return true;
    }

    /** Opens the nsfs file; the caller closes the fd. */
    public int openFd() throws SyscallException {
        return Libc.open(path.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetNs n && n.path.equals(path);
    }

    @Override
    public int hashCode() { return path.hashCode(); }

    @Override
    public String toString() { return name().orElse(path.toString()); }
}
