/**
 * Test doubles at the dataplane's seams, in main code so other modules' tests can use them:
 * {@link io.podnet.dataplane.fake.FakeKernel} (simulated links, routes, neighbours, FDB, addresses, with
 * failure injection and call counters) and {@link io.podnet.dataplane.fake.ManualScheduler} (runs scheduled
 * tasks when a test says so, against any {@link java.time.InstantSource} such as testkit's ManualClock).
 */
package io.podnet.dataplane.fake;
