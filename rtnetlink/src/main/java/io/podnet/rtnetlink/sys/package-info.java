/**
 * The few libc calls podnet needs, bound through {@code java.lang.foreign} with errno captured:
 * socket/bind/setsockopt/send/recv/close, setns/unshare, mount/umount2, open/read/write/ioctl.
 * Each wrapper throws {@link io.podnet.rtnetlink.SyscallException} carrying the {@link io.podnet.rtnetlink.Errno}.
 * Nothing here knows about netlink messages.
 */
package io.podnet.rtnetlink.sys;
