package io.podnet.net.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one way podnet writes a state file: to a temp file beside the target, {@code fsync} it, rename it over the
 * target, {@code fsync} the directory. A crash or a power loss leaves the old content or the new, never a torn or
 * empty file (a rename without the first fsync may be persisted before the data: the empty files ext4 leaves after
 * a power loss), and the new name survives once {@link #write} returns (the directory fsync). With
 * {@code durable=false} (tests, callers that sync elsewhere) the two fsyncs are skipped; the rename stays atomic.
 */
public final class AtomicFile {
    private AtomicFile() {}

    /** Writes {@code data} to {@code target} atomically and durably, creating the parent directories. */
    public static void write(Path target, byte[] data) throws IOException {
        write(target, data, true);
    }

    public static void write(Path target, String text) throws IOException {
        write(target, text.getBytes(StandardCharsets.UTF_8), true);
    }

    public static void write(Path target, byte[] data, boolean durable) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) ch.write(b);
                if (durable) ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + target + " atomically: " + e.getMessage(), e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        if (durable) syncDirectory(dir);
    }

    /** {@code fsync} of a directory, so a rename or delete in it survives a power loss. */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Deletes {@code target} if present and syncs its directory; true if it existed. */
    public static boolean delete(Path target, boolean durable) throws IOException {
        boolean existed = Files.deleteIfExists(target);
        if (existed && durable) syncDirectory(target.toAbsolutePath().getParent());
        return existed;
    }
}
