/**
 * CNI ADD/DEL benchmark: podnet (C shim → agent) against Debian's reference {@code bridge} + {@code host-local},
 * driven the same way (fork/exec of the plugin with CNI_* env and config on stdin) in the same run.
 */
package io.podnet.bench.cniadd;
