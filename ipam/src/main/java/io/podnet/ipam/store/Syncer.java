package io.podnet.ipam.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The background half of a store's durability: a few platform threads that fsync owner files, wait for the
 * directory's {@link GroupCommit}, and unlink spent temp names, so none of it sits in a caller's path or inside
 * the store lock. Idle threads time out; {@link #close()} lets queued work finish (bounded).
 */
final class Syncer implements AutoCloseable {
    private static final int THREADS = 16;

    /** Background work that may fail with an I/O error. */
    @FunctionalInterface
    interface Task {
        void run() throws IOException;
    }

    private final Path dir;
    private final GroupCommit commits;
    private final ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
            r -> Thread.ofPlatform().name("podnet-ipam-sync").daemon(true).unstarted(r));

    Syncer(Path dir) {
        this.dir = dir;
        this.commits = new GroupCommit(this::syncDir);
        pool.allowCoreThreadTimeOut(true);
    }

    /** fsync of the directory itself. */
    void syncDir() throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /** fsync of one file, tolerating that it is gone (released or cancelled meanwhile). */
    static void force(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (NoSuchFileException e) {
            // nothing left to make durable
        }
    }

    /** A ticket for links already made (call under the store lock, right after them). */
    long ticket() {
        return commits.ticket();
    }

    /**
     * One reservation's background work, in one task (each hand-off to another thread can cost a context switch
     * on a busy machine): with {@code sync}, fsync the owner file's data; wait until the caller has linked it
     * ({@code ticket}, 0 = nothing linked); with a ticket, wait for a directory sync that covers it; finally
     * unlink the temp name (an unlink is journalled too, so it stays off the caller's path).
     */
    CompletableFuture<Void> settle(Path tmp, boolean sync, CompletableFuture<Long> ticket) {
        return later(() -> {
            try {
                if (sync) force(tmp);
                long t = ticket.join();
                if (t > 0) commits.await(t);
            } finally {
                Files.deleteIfExists(tmp);
            }
        });
    }

    private CompletableFuture<Void> later(Task task) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        try {
            pool.execute(() -> {
                try {
                    task.run();
                    f.complete(null);
                } catch (Throwable e) {
                    f.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(new IOException("store " + dir + " is closed", e));
        }
        return f;
    }

    /** Directory syncs run so far (for tests of the group commit). */
    long syncs() {
        return commits.syncs();
    }

    @Override
    public void close() {
        pool.shutdown(); // queued syncs and unlinks still run; wait for them (bounded)
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
