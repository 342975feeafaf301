package io.podnet.datastore;

import java.util.List;

/**
 * Every key under a prefix at one revision: what a watcher relists after {@link WatchResponse.Compacted}, then
 * diffs against its state and watches again from {@code revision + 1}.
 */
public record Snapshot(List<KeyValue> kvs, long revision) {
    public Snapshot {
        kvs = List.copyOf(kvs);
    }
}
