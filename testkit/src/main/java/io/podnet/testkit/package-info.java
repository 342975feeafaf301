/**
 * Test harness: {@link io.podnet.testkit.Netns} (throwaway named namespaces created with iproute2, so the
 * code under test is checked against an independent tool), {@link io.podnet.testkit.Sh} (run a command,
 * parse {@code ip -j} JSON), {@link io.podnet.testkit.HexFixture} (annotated byte captures),
 * {@link io.podnet.testkit.ManualClock}, and {@link io.podnet.testkit.RunId} (the per-run unique prefix).
 */
package io.podnet.testkit;
