package io.podnet.rtnetlink;

import java.util.Map;

/**
 * A Linux errno value: an open code space. Known values have their kernel name (EEXIST, ENODEV, ...); any
 * other number round-trips as {@code E<number>}.
 */
public record Errno(int code) {
    public static final Errno EPERM = new Errno(1);
    public static final Errno ENOENT = new Errno(2);
    public static final Errno ESRCH = new Errno(3);
    public static final Errno EINTR = new Errno(4);
    public static final Errno EIO = new Errno(5);
    public static final Errno EBADF = new Errno(9);
    public static final Errno EAGAIN = new Errno(11);
    public static final Errno ENOMEM = new Errno(12);
    public static final Errno EACCES = new Errno(13);
    public static final Errno EBUSY = new Errno(16);
    public static final Errno EEXIST = new Errno(17);
    public static final Errno ENODEV = new Errno(19);
    public static final Errno EINVAL = new Errno(22);
    public static final Errno ENOSPC = new Errno(28);
    public static final Errno ERANGE = new Errno(34);
    public static final Errno ENOBUFS = new Errno(105);
    public static final Errno EOPNOTSUPP = new Errno(95);
    public static final Errno EAFNOSUPPORT = new Errno(97);
    public static final Errno EADDRINUSE = new Errno(98);
    public static final Errno EADDRNOTAVAIL = new Errno(99);
    public static final Errno ENETUNREACH = new Errno(101);
    public static final Errno ENOTSUP = EOPNOTSUPP;
    public static final Errno EPROTONOSUPPORT = new Errno(93);
    public static final Errno ENOTEMPTY = new Errno(39);

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(1, "EPERM"), Map.entry(2, "ENOENT"), Map.entry(3, "ESRCH"), Map.entry(4, "EINTR"),
            Map.entry(5, "EIO"), Map.entry(9, "EBADF"), Map.entry(11, "EAGAIN"), Map.entry(12, "ENOMEM"),
            Map.entry(13, "EACCES"), Map.entry(16, "EBUSY"), Map.entry(17, "EEXIST"), Map.entry(19, "ENODEV"),
            Map.entry(22, "EINVAL"), Map.entry(28, "ENOSPC"), Map.entry(34, "ERANGE"), Map.entry(39, "ENOTEMPTY"),
            Map.entry(93, "EPROTONOSUPPORT"), Map.entry(95, "EOPNOTSUPP"), Map.entry(97, "EAFNOSUPPORT"),
            Map.entry(98, "EADDRINUSE"), Map.entry(99, "EADDRNOTAVAIL"), Map.entry(101, "ENETUNREACH"),
            Map.entry(105, "ENOBUFS"), Map.entry(110, "ETIMEDOUT"), Map.entry(111, "ECONNREFUSED"),
            Map.entry(113, "EHOSTUNREACH"), Map.entry(24, "EMFILE"), Map.entry(20, "ENOTDIR"),
            Map.entry(21, "EISDIR"), Map.entry(36, "ENAMETOOLONG"), Map.entry(92, "ENOPROTOOPT"));

    private static final Map<Integer, String> TEXT = Map.ofEntries(
            Map.entry(1, "Operation not permitted"), Map.entry(2, "No such file or directory"),
            Map.entry(3, "No such process"), Map.entry(13, "Permission denied"), Map.entry(16, "Device or resource busy"),
            Map.entry(17, "File exists"), Map.entry(19, "No such device"), Map.entry(22, "Invalid argument"),
            Map.entry(34, "Numerical result out of range"), Map.entry(95, "Operation not supported"),
            Map.entry(97, "Address family not supported by protocol"), Map.entry(99, "Cannot assign requested address"),
            Map.entry(101, "Network is unreachable"), Map.entry(105, "No buffer space available"));

    public Errno {
        if (code < 0) throw new IllegalArgumentException("errno must be positive: " + code);
    }

    public static Errno of(int code) {
        return new Errno(Math.abs(code));
    }

    /** The kernel name, e.g. {@code EEXIST}, or {@code E<code>} when unknown. */
    public String name() {
        return NAMES.getOrDefault(code, "E" + code);
    }

    /** The strerror-style description, when known. */
    public String description() {
        return TEXT.getOrDefault(code, name());
    }

    @Override
    public String toString() {
        return name();
    }
}
