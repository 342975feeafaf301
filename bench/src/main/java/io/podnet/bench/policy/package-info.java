/** Policy compile and nft apply benchmark: {@link io.podnet.bench.policy.PolicyBench}. */
package io.podnet.bench.policy;
