package io.podnet.cnm;

import io.podnet.dataplane.NodeDataplane;
import io.podnet.dataplane.fake.FakeKernel;
import io.podnet.dataplane.fake.ManualScheduler;
import io.podnet.rtnetlink.Rtnetlink;
import io.podnet.testkit.ManualClock;
import java.io.IOException;

/**
 * A CNM server with its node dataplane, started in the agent's order: dataplane built, server restores its
 * state into it, then the dataplane's first pass. {@link #real} runs in the handle's (throwaway) namespace;
 * {@link #fake} on a FakeKernel (for tests that only exercise IPAM and must not touch the machine's namespace).
 */
record TestNode(NodeDataplane dp, CnmServer server) implements AutoCloseable {

    static TestNode real(CnmConfig cfg, Rtnetlink h) throws IOException {
        NodeDataplane dp = NodeDataplane.open(h.namespace(), NodeDataplane.Config.DEFAULT.withLinkPrefixes(java.util.List.of("pnd")), 2, 4);
        return started(cfg, h, dp);
    }

    static TestNode fake(CnmConfig cfg, Rtnetlink h) throws IOException {
        ManualClock clock = new ManualClock();
        return started(cfg, h, NodeDataplane.create(new FakeKernel(), clock, new ManualScheduler(clock), NodeDataplane.Config.DEFAULT));
    }

    private static TestNode started(CnmConfig cfg, Rtnetlink h, NodeDataplane dp) throws IOException {
        try {
            CnmServer s = CnmServer.start(cfg, h, dp);
            dp.start();
            return new TestNode(dp, s);
        } catch (IOException | RuntimeException e) {
            dp.close();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            server.close();
        } finally {
            dp.close();
        }
    }
}
