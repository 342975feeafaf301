package io.podnet.datastore;

import java.util.Objects;

/**
 * One condition of a transaction, evaluated against a key's metadata. An absent key has version, create
 * revision and mod revision 0, as in etcd.
 *
 * @param key    the key
 * @param target which field to compare
 * @param op     how
 * @param value  the number to compare with
 */
public record Compare(String key, Target target, Op op, long value) {
    /** The compared field. */
    public enum Target { VERSION, CREATE_REVISION, MOD_REVISION }

    /** The comparison. */
    public enum Op {
        EQUAL, NOT_EQUAL, LESS, GREATER;

        /** Whether {@code actual <op> expected} holds. */
        public boolean test(long actual, long expected) {
            return switch (this) {
                case EQUAL -> actual == expected;
                case NOT_EQUAL -> actual != expected;
                case LESS -> actual < expected;
                case GREATER -> actual > expected;
            };
        }
    }

    public Compare {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(op, "op");
    }

    /** The key does not exist (version = 0): create-if-absent, as flannel's subnet acquisition does. */
    public static Compare absent(String key) { return new Compare(key, Target.VERSION, Op.EQUAL, 0); }

    /** The key exists. */
    public static Compare present(String key) { return new Compare(key, Target.VERSION, Op.GREATER, 0); }

    /** The key was last modified at {@code modRevision} (optimistic concurrency on a read value). */
    public static Compare modRevisionIs(String key, long modRevision) {
        return new Compare(key, Target.MOD_REVISION, Op.EQUAL, modRevision);
    }

    /** The key has exactly {@code version} puts since creation. */
    public static Compare versionIs(String key, long version) {
        return new Compare(key, Target.VERSION, Op.EQUAL, version);
    }

    /** Whether this compare holds for {@code kv} (null = absent). */
    public boolean holdsFor(KeyValue kv) {
        long actual = kv == null ? 0 : switch (target) {
            case VERSION -> kv.version();
            case CREATE_REVISION -> kv.createRevision();
            case MOD_REVISION -> kv.modRevision();
        };
        return op.test(actual, value);
    }
}
