/**
 * The driver's persisted state: one JSON file per network and endpoint plus the pool reference counts,
 * written atomically (temp file, rename) so that the agent and dockerd can restart independently.
 */
package io.podnet.cnm.state;
