package io.podnet.datastore.memory;

import io.podnet.datastore.KeyValue;
import java.util.ArrayList;
import java.util.List;

/** The revisions of one key, oldest first; a {@code null} kv is a deletion (tombstone). Not thread-safe. */
final class KeyHistory {
    private record Entry(long revision, KeyValue kv) {}

    private final List<Entry> entries = new ArrayList<>();

    void add(long revision, KeyValue kv) {
        entries.add(new Entry(revision, kv));
    }

    /** The live value now, or null. */
    KeyValue current() {
        return entries.isEmpty() ? null : entries.getLast().kv();
    }

    /** The live value as of {@code revision}, or null. */
    KeyValue at(long revision) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).revision() <= revision) return entries.get(i).kv();
        }
        return null;
    }

    /** Drops what compaction at {@code revision} discards; returns whether nothing is left. */
    boolean compact(long revision) {
        int keepFrom = 0;
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).revision() <= revision) keepFrom = i;
        }
        entries.subList(0, keepFrom).clear();
        if (!entries.isEmpty() && entries.getFirst().kv() == null && entries.getFirst().revision() <= revision) {
            entries.removeFirst();
        }
        return entries.isEmpty();
    }
}
