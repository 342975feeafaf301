package io.podnet.cni.server;

import io.podnet.cni.CniException;
import io.podnet.cni.CniRequest;

/**
 * What the agent implements to serve CNI requests. Called on a pooled platform thread; never concurrently for the same
 * container id. VERSION never reaches the handler. A thrown {@link CniException} becomes a CNI error result in the
 * request's {@code cniVersion}; any other exception becomes code 100 (internal).
 */
public interface CniHandler {
    CniResponse handle(CniRequest request) throws CniException;
}
