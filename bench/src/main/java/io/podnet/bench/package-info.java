/** Benchmark drivers. */
package io.podnet.bench;
