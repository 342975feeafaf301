/**
 * BGP benchmarks: {@link io.podnet.bench.bgp.BgpRelayBench} (BIRD→relay→BIRD with BIRD and podnet as the
 * relay, same run) and {@link io.podnet.bench.bgp.MeshBench} (hundreds of speakers in one process).
 */
package io.podnet.bench.bgp;
