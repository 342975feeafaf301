package io.podnet.ipam.cluster;

/**
 * A value as read from the datastore, with the mod revision a compare-and-swap on it names.
 *
 * @param key         the key
 * @param value       the decoded value
 * @param modRevision the key's mod revision (0 for "absent" in a compare)
 */
public record Versioned<T>(String key, T value, long modRevision) {}
