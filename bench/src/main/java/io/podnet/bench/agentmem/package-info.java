/**
 * The agent memory benchmark (issue 17): RSS, heap, metaspace, code cache, threads and the JVM's native memory
 * summary of {@code bin/podnet agent} in each mode, with 50 pods and after 1,000 ADD/DEL pairs, and start-to-ready.
 * Driven by {@code bench/agent-memory.sh}; results in {@code bench/README.md}.
 */
package io.podnet.bench.agentmem;
