/**
 * The CNI plugin shim: the program a runtime executes as {@code /opt/cni/bin/podnet} (or {@code podnet-ipam}).
 * JDK-only on purpose (no Jackson, no regex, no lambdas) so that it starts in as few class loads as possible.
 *
 * <pre>
 *  runtime ──exec──► PluginMain ── VERSION? ──yes──► answer locally
 *                       │ no
 *                       ▼ connect unix:PODNET_AGENT_SOCKET (default /run/podnet/cni.sock)
 *                    ShimFrames request "PNC1" ──► agent (CniServer) ──► response "PNR1"
 *                       │ connect failed: error 11 (ADD/DEL/CHECK/GC) or 50 (STATUS)
 *                       ▼
 *                    stdout + stderr + exit code as the agent says
 * </pre>
 */
package io.podnet.cni.plugin;
