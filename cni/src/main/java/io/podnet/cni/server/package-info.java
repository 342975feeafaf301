/**
 * The agent side of the shim protocol: {@link io.podnet.cni.server.CniServer} listens on a root-only unix socket,
 * parses each request with {@link io.podnet.cni.CniRequestParser} and calls the agent's
 * {@link io.podnet.cni.server.CniHandler}; requests for one container id run one at a time, different
 * containers in parallel (one pooled platform thread per connection).
 *
 * <pre>
 *  accept (platform thread) ──► pooled platform thread per connection
 *      readRequest ─► parse (CniException → error response) ─► lock(containerId) ─► handler.handle ─► writeResponse
 * </pre>
 */
package io.podnet.cni.server;
