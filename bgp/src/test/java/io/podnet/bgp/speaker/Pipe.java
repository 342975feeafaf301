package io.podnet.bgp.speaker;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;

/**
 * One direction of an in-memory TCP connection: bytes written at one end, read at the other, end of stream
 * after {@link #close()} once the buffer is drained. The test side can wait until the reader has taken
 * everything and is blocked again ({@link #awaitDrained}), which means it has handed on every message.
 */
final class Pipe {
    private final java.util.concurrent.atomic.AtomicLong writes; // shared by every pipe of a network
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private int offset; // into the first chunk
    private boolean closed;
    private boolean readerWaiting;
    private boolean closedByReader; // the reading end closed its own connection: it reads no more
    private boolean eofDelivered;   // the reader saw the end of the stream

    Pipe(java.util.concurrent.atomic.AtomicLong writes) {
        this.writes = writes;
    }

    synchronized void write(byte[] b, int off, int len) throws IOException {
        if (closed) throw new IOException("connection closed");
        writes.incrementAndGet();
        byte[] c = new byte[len];
        System.arraycopy(b, off, c, 0, len);
        chunks.add(c);
        notifyAll();
    }

    synchronized int read(byte[] b, int off, int len) throws IOException {
        while (chunks.isEmpty() && !closed) {
            readerWaiting = true;
            notifyAll();
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("read interrupted");
            } finally {
                readerWaiting = false;
            }
        }
        if (chunks.isEmpty()) {
            eofDelivered = true;
            notifyAll();
            return -1;
        }
        int n = 0;
        while (n < len && !chunks.isEmpty()) {
            byte[] c = chunks.peek();
            int k = Math.min(len - n, c.length - offset);
            System.arraycopy(c, offset, b, off + n, k);
            n += k;
            offset += k;
            if (offset == c.length) {
                chunks.poll();
                offset = 0;
            }
        }
        return n;
    }

    /** Everything buffered now, without blocking (the test side's read). */
    synchronized byte[] takeAvailable() {
        int total = -offset;
        for (byte[] c : chunks) total += c.length;
        byte[] out = new byte[total];
        int at = 0;
        for (byte[] c : chunks) {
            int from = at == 0 ? offset : 0;
            System.arraycopy(c, from, out, at, c.length - from);
            at += c.length - from;
        }
        chunks.clear();
        offset = 0;
        return out;
    }

    synchronized void close() {
        if (!closed) writes.incrementAndGet(); // a close is news too: the reader will act on it
        closed = true;
        notifyAll();
    }

    /** Closed by the end that reads it (its own connection's close): nobody waits for it to see the end. */
    synchronized void closeAsReader() {
        closedByReader = true;
        close();
    }

    synchronized boolean isClosed() { return closed; }

    /** Waits until there is something to read or the pipe is closed; false if neither happened in time. */
    synchronized boolean awaitData(long timeoutMillis) {
        long end = System.currentTimeMillis() + timeoutMillis;
        while (chunks.isEmpty() && !closed) {
            long left = end - System.currentTimeMillis();
            if (left <= 0) return false;
            try {
                wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * Waits until the reader has taken every byte and waits for more; or, once closed, until the reader saw the
     * end of the stream, unless its own side closed the connection (then unread bytes stay unread).
     */
    synchronized void awaitDrained(long timeoutMillis) {
        long end = System.currentTimeMillis() + timeoutMillis;
        while (!((chunks.isEmpty() && readerWaiting && !closed) || (closed && (closedByReader || eofDelivered)))) {
            long left = end - System.currentTimeMillis();
            if (left <= 0) throw new AssertionError("the speaker did not read what it was sent within " + timeoutMillis + " ms");
            try {
                wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
