/**
 * CNI benchmarks (drivers, not tests): podnet IPAM allocate+release against the reference host-local binary,
 * the same through the plugin shims (exec per operation, as a runtime does), and shim start-up time
 * (Java plain, Java tuned, Java with an AOT cache, C). Results go to cni/README.md and ipam/README.md.
 */
package io.podnet.bench.cni;
