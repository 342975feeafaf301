/**
 * CNI results (SPEC.md "Success", "Error") as one version-independent model, {@link io.podnet.cni.result.CniResult},
 * and {@link io.podnet.cni.result.ResultCodec}, which reads any of 0.3.0-1.1.0 and writes any of them:
 *
 * <pre>
 *   bytes (0.3.x/0.4.0/1.0.0/1.1.0) ──decode──► CniResult ──encode(v)──► bytes in version v
 *     0.3.x/0.4.0: ips[].version "4"/"6"          1.0.0: no ips[].version
 *     1.1.0: + route mtu/advmss/priority/table/scope, interface mtu/socketPath/pciID
 * </pre>
 */
package io.podnet.cni.result;
