package io.podnet.ipam.store;

import io.podnet.ipam.IpamException;
import io.podnet.ipam.IpamException.Reason;
import io.podnet.ipam.Owner;
import io.podnet.ipam.RangeSet;
import io.podnet.net.IpAddress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Crash-safe IP reservations for one network directory, host-local compatible on disk.
 *
 * <p>Complicating factors: (1) a kill -9 at any instant must never yield a duplicate: an IP file appears only
 * by {@code link(2)} of a complete temp file, so it is either absent or complete; with {@code fsync} the new
 * files and the directory are fsync-ed (one journal commit) before the answer is returned; leftover temp files
 * and empty IP files are removed by the next scan. A release is not fsync-ed: a power loss right after it can
 * bring the reservation back (a leak that GC reclaims), never a duplicate.
 * (2) Several processes may share a directory: every operation holds an fcntl lock on {@code lock}, and
 * re-reads the directory when the {@code .podnet-generation} counter or the directory mtime moved since this
 * process last wrote. fcntl locks do not exclude host-local's flock, so do not run host-local on the same
 * directory at the same time. (3) Open one store per directory per JVM (use {@link IpamStores}): two channels
 * of one JVM cannot both lock the file.
 */
public final class LocalIpamStore implements AutoCloseable {
    static final String LOCK = "lock";
    static final String LAST_PREFIX = "last_reserved_ip.";
    static final String GENERATION = ".podnet-generation";
    static final String TMP_PREFIX = ".podnet-tmp-";

    private final Path dir;
    private final boolean fsync;
    private final ReentrantLock mutex = new ReentrantLock();
    private final FileChannel lockChannel;
    private final FileChannel genChannel;
    private final ReservationIndex index = new ReservationIndex();
    private long generation = Long.MIN_VALUE;
    private FileTime dirMtime = FileTime.fromMillis(0);
    private ReconcileReport lastScan = new ReconcileReport(0, List.of(), List.of(), List.of());
    private long tmpCounter;

    private LocalIpamStore(Path dir, boolean fsync, FileChannel lockChannel, FileChannel genChannel) {
        this.dir = dir;
        this.fsync = fsync;
        this.lockChannel = lockChannel;
        this.genChannel = genChannel;
    }

    /** Opens (creating) {@code networkDir} and scans it: index rebuilt, temp and empty files removed. */
    public static LocalIpamStore open(Path networkDir, boolean fsync) throws IOException {
        Files.createDirectories(networkDir);
        FileChannel lock = FileChannel.open(networkDir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileChannel gen;
        try {
            gen = FileChannel.open(networkDir.resolve(GENERATION), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            lock.close();
            throw e;
        }
        LocalIpamStore s = new LocalIpamStore(networkDir, fsync, lock, gen);
        try {
            s.locked(() -> null);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        } catch (IpamException e) {
            s.close();
            throw new IOException(e.getMessage(), e);
        }
        return s;
    }

    public Path directory() {
        return dir;
    }

    /** What the last directory scan found (at open, or after another process changed the directory). */
    public ReconcileReport lastScan() {
        mutex.lock();
        try {
            return lastScan;
        } finally {
            mutex.unlock();
        }
    }

    private interface Action<T> {
        T run() throws IOException, IpamException;
    }

    private <T> T locked(Action<T> body) throws IOException, IpamException {
        mutex.lock();
        try (FileLock fl = lockChannel.lock()) {
            refreshIfStale();
            return body.run();
        } catch (OverlappingFileLockException e) {
            throw new IllegalStateException("store " + dir + " is open twice in this JVM; share one LocalIpamStore", e);
        } finally {
            mutex.unlock();
        }
    }

    private void refreshIfStale() throws IOException {
        long gen = readGeneration();
        FileTime mtime = Files.getLastModifiedTime(dir);
        if (gen != generation || !mtime.equals(dirMtime)) {
            lastScan = rescan();
            generation = gen;
            dirMtime = Files.getLastModifiedTime(dir);
        }
    }

    private long readGeneration() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8);
        while (b.hasRemaining()) {
            if (genChannel.read(b, b.position()) < 0) return 0;
        }
        return b.flip().getLong();
    }

    /** Records our own change so that this process does not rescan, but other processes do. */
    private void committed() throws IOException {
        generation = generation == Long.MIN_VALUE ? 1 : generation + 1;
        genChannel.write(ByteBuffer.allocate(8).putLong(generation).flip(), 0);
        dirMtime = Files.getLastModifiedTime(dir);
    }

    private ReconcileReport rescan() throws IOException {
        index.clear();
        List<String> tmp = new ArrayList<>();
        List<String> empty = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                scanOne(p, tmp, empty, unknown);
            }
        }
        if (!tmp.isEmpty() || !empty.isEmpty()) syncDir();
        return new ReconcileReport(index.size(), tmp, empty, unknown);
    }

    private void scanOne(Path p, List<String> tmp, List<String> empty, List<String> unknown) throws IOException {
        String name = p.getFileName().toString();
        if (name.startsWith(TMP_PREFIX)) {
            Files.deleteIfExists(p); // a writer holding the lock would still own it; we hold the lock
            tmp.add(name);
            return;
        }
        if (name.equals(LOCK) || name.equals(GENERATION) || name.startsWith(LAST_PREFIX)) return;
        Optional<IpAddress> ip = parseIp(name);
        if (ip.isEmpty() || !Files.isRegularFile(p)) {
            unknown.add(name);
            return;
        }
        String content = Files.readString(p, StandardCharsets.UTF_8);
        if (content.isBlank()) {
            Files.deleteIfExists(p);
            empty.add(name);
            return;
        }
        index.put(ip.get(), Owner.parse(content));
    }

    private static Optional<IpAddress> parseIp(String name) {
        try {
            return Optional.of(IpAddress.parse(name.replace('_', ':')));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * One journal commit for the whole allocation: fsync the new IP files (the first commits everything
     * pending, including the directory entries on ext4), then the directory itself (portable guarantee).
     */
    private void makeDurable(List<IpAddress> ips) throws IOException {
        for (IpAddress ip : ips) {
            try (FileChannel ch = FileChannel.open(dir.resolve(ip.toString()), StandardOpenOption.READ)) {
                ch.force(true);
            }
        }
        syncDir();
    }

    private void syncDir() throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /**
     * Reserves one address per range set for {@code owner}, all or nothing (host-local {@code Get} per set).
     * A requested address that lies in a set is used for that set; every requested address must be used.
     */
    public List<IpAddress> allocate(Owner owner, List<RangeSet> sets, List<IpAddress> requested) throws IOException, IpamException {
        return locked(() -> {
            List<IpAddress> done = new ArrayList<>();
            try {
                for (int i = 0; i < sets.size(); i++) {
                    done.add(allocateIn(i, sets.get(i), owner, requested));
                }
                List<IpAddress> unused = new ArrayList<>(requested);
                unused.removeAll(done);
                if (!unused.isEmpty()) {
                    throw new IpamException(Reason.REQUESTED_UNAVAILABLE, "failed to allocate all requested IPs: " + unused);
                }
            } catch (IpamException | IOException | RuntimeException e) {
                for (IpAddress ip : done) unreserve(ip);
                committed();
                throw e;
            }
            if (fsync) makeDurable(done);
            committed();
            return done;
        });
    }

    private IpAddress allocateIn(int setIndex, RangeSet set, Owner owner, List<IpAddress> requested)
            throws IOException, IpamException {
        for (IpAddress want : requested) {
            var r = set.rangeFor(want);
            if (r.isEmpty()) continue;
            if (r.get().gateway().equals(want)) {
                throw new IpamException(Reason.REQUESTED_UNAVAILABLE, "requested ip " + want + " is subnet's gateway");
            }
            if (!reserve(want, owner)) {
                throw new IpamException(Reason.REQUESTED_UNAVAILABLE, "requested IP address " + want
                        + " is not available in range set " + set);
            }
            return want;
        }
        for (IpAddress held : index.ownedBy(owner)) {
            if (set.contains(held)) {
                throw new IpamException(Reason.DUPLICATE, held + " has been allocated to " + owner.containerId()
                        + ", duplicate allocation is not allowed");
            }
        }
        Iterator<IpAddress> it = set.candidates(readLast(setIndex));
        while (it.hasNext()) {
            IpAddress ip = it.next();
            if (!index.isTaken(ip) && reserve(ip, owner)) {
                writeLast(setIndex, ip);
                return ip;
            }
        }
        throw new IpamException(Reason.EXHAUSTED, "no IP addresses available in range set: " + set);
    }

    /** Creates the IP file atomically; false if it exists (then indexes its owner). */
    private boolean reserve(IpAddress ip, Owner owner) throws IOException {
        if (index.isTaken(ip)) return false;
        Path target = dir.resolve(ip.toString());
        Path tmp = dir.resolve(TMP_PREFIX + ip + "-" + ProcessHandle.current().pid() + "-" + (tmpCounter++));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(owner.fileContent().getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) ch.write(b); // one small write: complete or absent after a process crash
        }
        try {
            Files.createLink(target, tmp);
        } catch (FileAlreadyExistsException e) {
            Files.delete(tmp);
            index.put(ip, readOwner(target).orElse(new Owner("unknown", "")));
            return false;
        }
        Files.delete(tmp);
        index.put(ip, owner);
        return true;
    }

    private Optional<Owner> readOwner(Path file) throws IOException {
        try {
            String c = Files.readString(file, StandardCharsets.UTF_8);
            return c.isBlank() ? Optional.empty() : Optional.of(Owner.parse(c));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private void unreserve(IpAddress ip) throws IOException {
        Files.deleteIfExists(dir.resolve(ip.toString()));
        index.remove(ip);
    }

    private Optional<IpAddress> readLast(int setIndex) throws IOException {
        Path p = dir.resolve(LAST_PREFIX + setIndex);
        try {
            return parseIp(Files.readString(p, StandardCharsets.UTF_8).strip());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private void writeLast(int setIndex, IpAddress ip) throws IOException {
        Path tmp = dir.resolve(TMP_PREFIX + LAST_PREFIX + setIndex);
        Files.writeString(tmp, ip.toString(), StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve(LAST_PREFIX + setIndex), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Releases everything {@code owner} holds; idempotent. Returns the released addresses. */
    public List<IpAddress> release(Owner owner) throws IOException {
        try {
            return locked(() -> {
                List<IpAddress> ips = index.ownedBy(owner);
                for (IpAddress ip : ips) unreserve(ip);
                if (!ips.isEmpty()) committed();
                return ips;
            });
        } catch (IpamException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** GC: releases every reservation whose owner is not among {@code valid}. Returns what was released. */
    public Map<Owner, List<IpAddress>> releaseAllExcept(Collection<Owner> valid) throws IOException {
        try {
            return locked(() -> {
                Map<Owner, List<IpAddress>> gone = new LinkedHashMap<>();
                for (var e : index.snapshot().entrySet()) {
                    boolean keep = false;
                    for (Owner v : valid) keep |= e.getValue().matches(v);
                    if (!keep) {
                        unreserve(e.getKey());
                        gone.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(e.getKey());
                    }
                }
                if (!gone.isEmpty()) committed();
                return gone;
            });
        } catch (IpamException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** The addresses {@code owner} holds (fresh from disk if another process changed the directory). */
    public List<IpAddress> addressesOf(Owner owner) throws IOException {
        try {
            return locked(() -> index.ownedBy(owner));
        } catch (IpamException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** All reservations. */
    public Map<IpAddress, Owner> reservations() throws IOException {
        try {
            return locked(index::snapshot);
        } catch (IpamException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** CHECK: {@code owner} holds a reservation, and holds every address in {@code expected}. */
    public void check(Owner owner, Collection<IpAddress> expected) throws IOException, IpamException {
        List<IpAddress> held = addressesOf(owner);
        if (held.isEmpty()) throw new IpamException(Reason.CHECK_FAILED, "no IP reservation for " + owner + " in " + dir);
        for (IpAddress ip : expected) {
            if (!held.contains(ip)) {
                throw new IpamException(Reason.CHECK_FAILED, "IP " + ip + " of " + owner + " is not reserved (holds " + held + ")");
            }
        }
    }

    @Override
    public void close() throws IOException {
        try (lockChannel; genChannel) {
            // closes both
        }
    }
}
