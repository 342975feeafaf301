/**
 * The crash-safe local allocation store, on disk exactly as host-local keeps it (one file per IP named by the
 * address, content {@code <containerID>\r\n<ifname>}, {@code last_reserved_ip.<set>}, a {@code lock} file),
 * plus an in-memory owner index so release, GC and the duplicate check never scan the directory.
 *
 * <pre>
 *  allocate ─► mutex ─► fcntl lock(dir/lock) ─► stale? (generation file, dir mtime) ─► rescan
 *     ─► candidates (round robin) ─► write .podnet-tmp-* + fsync ─► link(tmp, ip) [EEXIST = taken] ─► unlink tmp
 *     ─► fsync dir ─► bump generation ─► unlock ─► result
 * </pre>
 */
package io.podnet.ipam.store;
