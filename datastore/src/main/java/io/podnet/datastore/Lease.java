package io.podnet.datastore;

import java.time.Duration;

/**
 * A granted lease: keys put with it are deleted when it expires or is revoked.
 *
 * @param id  the lease id (non-zero)
 * @param ttl the TTL granted (the store may round it up)
 */
public record Lease(long id, Duration ttl) {
    public Lease {
        if (id == 0) throw new IllegalArgumentException("lease id 0 means no lease");
    }
}
