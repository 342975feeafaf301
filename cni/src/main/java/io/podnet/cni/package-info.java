/**
 * CNI execution protocol (SPEC.md "Execution protocol"): commands, versions, error codes, {@code CNI_ARGS},
 * and the pure parser that turns a plugin invocation (environment + stdin) into a validated {@link io.podnet.cni.CniRequest}.
 *
 * <pre>
 *  env CNI_* + stdin ──► CniRequestParser.parse ──► CniRequest(command, ids, args, NetConf)
 *                               │ (reference skel rules: required vars, id/ifname syntax,
 *                               │  exact version match, GC/STATUS need 1.1.0)
 *                               └──► CniException(code, msg, details) on any violation
 * </pre>
 */
package io.podnet.cni;
