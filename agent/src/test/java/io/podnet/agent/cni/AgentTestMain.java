package io.podnet.agent.cni;

import io.podnet.agent.Agent;
import io.podnet.agent.AgentConfig;
import java.nio.file.Path;

/**
 * Test-only entry point: runs the agent in its own JVM (started with {@code ip netns exec <ns> java ...} so the
 * bridge, sysctls and nft all live in a throwaway namespace). Prints {@code READY} once serving; closes the
 * agent and exits when stdin reaches EOF. Args: stateDir cniSocket [agent.yaml] (the file's settings, node name
 * included, with stateDir and cniSocket from the arguments).
 */
public final class AgentTestMain {
    private AgentTestMain() {}

    public static void main(String[] args) throws Exception {
        AgentConfig base = args.length > 2 ? AgentConfig.load(Path.of(args[2])) : AgentConfig.defaults().withNodeName("test");
        AgentConfig cfg = base.withStateDir(Path.of(args[0])).withCniSocket(Path.of(args[1]));
        try (Agent agent = Agent.start(cfg)) {
            System.out.println("READY");
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for EOF
            }
        }
    }
}
