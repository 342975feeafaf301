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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Crash-safe IP reservations for one network directory, host-local compatible on disk.
 *
 * <p>Complicating factors: (1) a kill -9 at any instant must never yield a duplicate: an IP file appears only
 * by {@code link(2)} of a complete temp file, so it is either absent or complete; with {@code fsync} the temp
 * file is written before the lock is taken and its data fsync-ed in the background from then on, and after the
 * link (outside the lock) the directory is fsync-ed by a {@link GroupCommit} that covers every concurrent
 * reservation with one sync; {@link Reservation#awaitDurable()} waits for both before the answer is returned; leftover temp files and empty IP files are removed by the next scan. A release is not
 * fsync-ed: a power loss right after it can bring the reservation back (a leak that GC reclaims), never a
 * duplicate. The lock is therefore held only for the link and bookkeeping (well under a millisecond), not for
 * an fsync.
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
    /** Owner files are prepared here, outside the lock, so the network directory's mtime stays ours. */
    static final String TMP_DIR = ".podnet-tmp";

    private final Path dir;
    private final boolean fsync;
    private final ReentrantLock mutex = new ReentrantLock();
    private final FileChannel lockChannel;
    private final FileChannel genChannel;
    private final ReservationIndex index = new ReservationIndex();
    private long generation = Long.MIN_VALUE;
    private FileTime dirMtime = FileTime.fromMillis(0);
    private ReconcileReport lastScan = new ReconcileReport(0, List.of(), List.of(), List.of());
    private final AtomicLong tmpCounter = new AtomicLong();
    /** Names this instance's temp files, so its own rescans leave its in-flight (unlocked) temp files alone. */
    private final String tmpToken = ProcessHandle.current().pid() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-";
    /** Makes reservations durable in the background (file data in parallel, then one shared directory sync). */
    private final Syncer syncer;
    /** Round-robin hints per range set (guarded by the lock; dropped on every rescan). */
    private final Map<Integer, Optional<IpAddress>> lastReserved = new java.util.HashMap<>();
    private final Map<Integer, FileChannel> lastChannels = new java.util.HashMap<>();

    private LocalIpamStore(Path dir, boolean fsync, FileChannel lockChannel, FileChannel genChannel) {
        this.dir = dir;
        this.fsync = fsync;
        this.lockChannel = lockChannel;
        this.genChannel = genChannel;
        this.syncer = new Syncer(dir);
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
        forgetLast(); // another writer may have moved the hint, or replaced the file
        List<String> tmp = new ArrayList<>();
        List<String> empty = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                scanOne(p, tmp, empty, unknown);
            }
        }
        if (!tmp.isEmpty() || !empty.isEmpty()) syncer.syncDir();
        return new ReconcileReport(index.size(), tmp, empty, unknown);
    }

    private void scanOne(Path p, List<String> tmp, List<String> empty, List<String> unknown) throws IOException {
        String name = p.getFileName().toString();
        if (name.equals(TMP_DIR) && Files.isDirectory(p)) {
            try (Stream<Path> files = Files.list(p)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (f.getFileName().toString().startsWith(tmpToken)) continue; // ours, waiting for the lock to be linked
                    Files.deleteIfExists(f); // another writer's: if it is alive it re-creates the file under the lock
                    tmp.add(TMP_DIR + "/" + f.getFileName());
                }
            }
            return;
        }
        if (name.startsWith(TMP_PREFIX)) {
            Files.deleteIfExists(p); // a crashed writer's (we hold the lock)
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
     * Reserves one address per range set for {@code owner}, all or nothing (host-local {@code Get} per set), and
     * waits until the reservation is durable. A requested address that lies in a set is used for that set;
     * every requested address must be used.
     */
    public List<IpAddress> allocate(Owner owner, List<RangeSet> sets, List<IpAddress> requested) throws IOException, IpamException {
        Reservation r = reserve(owner, sets, requested);
        try {
            r.awaitDurable();
        } catch (IOException | RuntimeException e) {
            r.cancel();
            throw e;
        }
        return r.ips();
    }

    /**
     * Like {@link #allocate} but returns as soon as the addresses are taken; the caller must call
     * {@link Reservation#awaitDurable()} before it reports them (and {@link Reservation#cancel()} if that fails),
     * so durability (one group fsync) can overlap other work such as creating the interface.
     */
    public Reservation reserve(Owner owner, List<RangeSet> sets, List<IpAddress> requested) throws IOException, IpamException {
        long t0 = System.nanoTime();
        Path tmp = writeOwnerFile(owner);
        // one background task per reservation: sync the owner's data now (in parallel with the lock), then the
        // directory once the link is made (group commit), then unlink the spent temp name
        CompletableFuture<Long> linked = new CompletableFuture<>();
        CompletableFuture<Void> durable = syncer.settle(tmp, fsync, linked);
        long prepared = System.nanoTime() - t0;
        long[] times = new long[3]; // lock acquired, lock released, ticket
        List<IpAddress> ips;
        long t1 = System.nanoTime();
        try {
            ips = locked(() -> {
                times[0] = System.nanoTime();
                List<IpAddress> done = allocateLocked(owner, sets, requested, tmp);
                times[2] = fsync ? syncer.ticket() : 0;
                times[1] = System.nanoTime();
                return done;
            });
        } catch (IOException | IpamException | RuntimeException e) {
            linked.complete(0L); // nothing linked: the task only unlinks the temp file
            throw e;
        }
        linked.complete(times[2]);
        var timing = new Reservation.Timing(prepared, times[0] - t1, times[1] - times[0]);
        return new Reservation(this, owner, ips, fsync ? durable : CompletableFuture.completedFuture(null), timing);
    }


    private List<IpAddress> allocateLocked(Owner owner, List<RangeSet> sets, List<IpAddress> requested, Path tmp)
            throws IOException, IpamException {
        List<IpAddress> done = new ArrayList<>();
        try {
            for (int i = 0; i < sets.size(); i++) {
                done.add(allocateIn(i, sets.get(i), owner, requested, tmp));
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
        committed();
        return done;
    }


    /** Directory syncs run so far (for tests of the group commit). */
    long syncs() {
        return syncer.syncs();
    }

    /**
     * The owner's file content in a fresh temp file, complete before any lock is taken; reservations hard-link
     * it under each address's name. Synced in the background from the moment it exists (with {@code fsync});
     * a file whose data a power cut lost was never reported (an empty one is dropped by the next scan).
     */
    private Path writeOwnerFile(Owner owner) throws IOException {
        Path tmpDir = dir.resolve(TMP_DIR);
        Path tmp = tmpDir.resolve(tmpToken + tmpCounter.incrementAndGet());
        try (FileChannel ch = open(tmp)) {
            ByteBuffer b = ByteBuffer.wrap(owner.fileContent().getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) ch.write(b); // one small write: complete or absent after a process crash
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        return tmp;
    }

    private static FileChannel open(Path tmp) throws IOException {
        try {
            return FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            Files.createDirectories(tmp.getParent());
            return FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }
    }

    private IpAddress allocateIn(int setIndex, RangeSet set, Owner owner, List<IpAddress> requested, Path tmp)
            throws IOException, IpamException {
        for (IpAddress want : requested) {
            var r = set.rangeFor(want);
            if (r.isEmpty()) continue;
            if (r.get().gateway().equals(want)) {
                throw new IpamException(Reason.REQUESTED_UNAVAILABLE, "requested ip " + want + " is subnet's gateway");
            }
            if (!reserve(want, owner, tmp)) {
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
            if (!index.isTaken(ip) && reserve(ip, owner, tmp)) {
                writeLast(setIndex, ip);
                return ip;
            }
        }
        throw new IpamException(Reason.EXHAUSTED, "no IP addresses available in range set: " + set);
    }

    /** Links the owner file under the IP's name (atomic, complete); false if the IP is taken (then indexes its owner). */
    private boolean reserve(IpAddress ip, Owner owner, Path tmp) throws IOException {
        if (index.isTaken(ip)) return false;
        Path target = dir.resolve(ip.toString());
        try {
            link(target, tmp, owner);
        } catch (FileAlreadyExistsException e) {
            index.put(ip, readOwner(target).orElse(new Owner("unknown", "")));
            return false;
        }
        index.put(ip, owner);
        return true;
    }

    private void link(Path target, Path tmp, Owner owner) throws IOException {
        try {
            Files.createLink(target, tmp);
        } catch (NoSuchFileException e) {
            // another process's rescan removed our unlocked temp file; re-create it (we hold the lock now)
            Files.deleteIfExists(tmp);
            Path again = writeOwnerFile(owner);
            if (fsync) Syncer.force(again); // the early background sync covered the removed file, not this one
            try {
                Files.move(again, tmp, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(again);
            }
            Files.createLink(target, tmp);
        }
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

    /** Gives back exactly {@code ips} (a cancelled {@link Reservation}). */
    void unreserveAll(Owner owner, List<IpAddress> ips) throws IOException {
        try {
            locked(() -> {
                boolean changed = false;
                for (IpAddress ip : ips) {
                    if (index.owner(ip).filter(owner::equals).isEmpty()) continue; // already released (e.g. by GC)
                    unreserve(ip);
                    changed = true;
                }
                if (changed) committed();
                return null;
            });
        } catch (IpamException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** The round-robin hint of range set {@code setIndex}: from memory, else from {@code last_reserved_ip.N}. */
    private Optional<IpAddress> readLast(int setIndex) throws IOException {
        Optional<IpAddress> known = lastReserved.get(setIndex);
        if (known != null) return known;
        Optional<IpAddress> onDisk;
        try {
            onDisk = parseIp(Files.readString(dir.resolve(LAST_PREFIX + setIndex), StandardCharsets.UTF_8).strip());
        } catch (NoSuchFileException e) {
            onDisk = Optional.empty();
        }
        lastReserved.put(setIndex, onDisk);
        return onDisk;
    }

    /**
     * Overwrites {@code last_reserved_ip.N} in place (write, then truncate to length) through a channel kept
     * open: no new inode and no rename per allocation, which on a busy ext4 cost milliseconds inside the lock.
     * A crash between the two calls can leave a different valid-looking address or junk: it is only the hint
     * where round robin resumes (host-local does not write it atomically either).
     */
    private void writeLast(int setIndex, IpAddress ip) throws IOException {
        FileChannel ch = lastChannels.get(setIndex);
        if (ch == null) {
            ch = FileChannel.open(dir.resolve(LAST_PREFIX + setIndex), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lastChannels.put(setIndex, ch);
        }
        ByteBuffer b = ByteBuffer.wrap(ip.toString().getBytes(StandardCharsets.UTF_8));
        int len = b.remaining();
        while (b.hasRemaining()) ch.write(b, len - b.remaining());
        ch.truncate(len);
        lastReserved.put(setIndex, Optional.of(ip));
    }

    private void forgetLast() throws IOException {
        lastReserved.clear();
        for (FileChannel ch : lastChannels.values()) ch.close();
        lastChannels.clear();
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
        syncer.close();
        mutex.lock();
        try {
            forgetLast();
        } finally {
            mutex.unlock();
        }
        try (lockChannel; genChannel) {
            // closes both
        }
    }
}
