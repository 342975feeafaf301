package io.podnet.datastore;

import java.util.List;
import java.util.Optional;

/**
 * One page of a prefix range, in key order.
 *
 * @param kvs      the keys of this page
 * @param more     whether keys follow this page
 * @param revision the store revision the page was read at; pass it to the next page for a consistent view
 */
public record RangePage(List<KeyValue> kvs, boolean more, long revision) {
    public RangePage {
        kvs = List.copyOf(kvs);
    }

    /** Where the next page starts (the smallest key after this page), if {@link #more}. */
    public Optional<String> nextKey() {
        return more && !kvs.isEmpty() ? Optional.of(kvs.getLast().key() + "\0") : Optional.empty();
    }
}
