package io.podnet.datastore;

import java.util.HashSet;
import java.util.List;

/**
 * An atomic multi-key transaction: if every compare holds, apply {@code onSuccess}, else {@code onFailure}.
 * etcd rejects a transaction that writes one key twice; so does this record. etcd's default limit is 128
 * operations per transaction ({@code --max-txn-ops}).
 *
 * @param compares  all must hold (an empty list always holds)
 * @param onSuccess writes applied when they hold
 * @param onFailure writes applied when one does not
 */
public record Txn(List<Compare> compares, List<Op> onSuccess, List<Op> onFailure) {
    public Txn {
        compares = List.copyOf(compares);
        onSuccess = List.copyOf(onSuccess);
        onFailure = List.copyOf(onFailure);
        requireDistinctKeys(onSuccess);
        requireDistinctKeys(onFailure);
    }

    /** If {@code compares} hold, apply {@code ops}; otherwise do nothing. */
    public static Txn when(List<Compare> compares, List<Op> ops) {
        return new Txn(compares, ops, List.of());
    }

    /** Single-key compare-and-swap. */
    public static Txn when(Compare compare, Op op) {
        return new Txn(List.of(compare), List.of(op), List.of());
    }

    /** Unconditional batch of writes (one revision). */
    public static Txn batch(List<Op> ops) {
        return new Txn(List.of(), ops, List.of());
    }

    private static void requireDistinctKeys(List<Op> ops) {
        var seen = new HashSet<String>();
        for (Op op : ops) {
            if (!seen.add(op.key())) throw new IllegalArgumentException("duplicate key in transaction: " + op.key());
        }
    }
}
