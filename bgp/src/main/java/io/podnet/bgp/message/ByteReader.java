package io.podnet.bgp.message;

/**
 * A bounds-checked cursor over a byte range. Running past the end throws the {@link MalformedMessageException}
 * the reader was made with, so every codec states what a short field means.
 */
final class ByteReader {
    private final byte[] buf;
    private int pos;
    private final int limit;
    private final BgpError underflowError;
    private final ErrorHandling underflowHandling;

    ByteReader(byte[] buf, int offset, int length, BgpError underflowError, ErrorHandling underflowHandling) {
        this.buf = buf;
        this.pos = offset;
        this.limit = offset + length;
        this.underflowError = underflowError;
        this.underflowHandling = underflowHandling;
    }

    int remaining() { return limit - pos; }

    int position() { return pos; }

    byte[] array() { return buf; }

    private void need(int n) throws MalformedMessageException {
        if (n < 0 || limit - pos < n) throw new MalformedMessageException(underflowError, underflowHandling, new byte[0]);
    }

    int u8() throws MalformedMessageException {
        need(1);
        return buf[pos++] & 0xff;
    }

    int u16() throws MalformedMessageException {
        need(2);
        int v = ((buf[pos] & 0xff) << 8) | (buf[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    long u32() throws MalformedMessageException {
        need(4);
        long v = ((long) (buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8)
                | (buf[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    byte[] bytes(int n) throws MalformedMessageException {
        need(n);
        byte[] out = new byte[n];
        System.arraycopy(buf, pos, out, 0, n);
        pos += n;
        return out;
    }

    /** A sub-reader over the next {@code n} bytes, with its own underflow error; advances this reader. */
    ByteReader slice(int n, BgpError error, ErrorHandling handling) throws MalformedMessageException {
        need(n);
        ByteReader r = new ByteReader(buf, pos, n, error, handling);
        pos += n;
        return r;
    }

    void skip(int n) throws MalformedMessageException {
        need(n);
        pos += n;
    }
}
