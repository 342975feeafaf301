package io.podnet.agent.cnm;

import io.podnet.agent.Agent;
import io.podnet.agent.AgentConfig;
import java.nio.file.Path;

/**
 * Test-only entry point: runs the agent from a config file, as {@code podnet agent --config FILE} does, in its own
 * JVM (started with {@code ip netns exec <ns> java ...}, so bridges, sysctls and nft live in a throwaway namespace).
 * Prints {@code READY} once serving; closes the agent and exits when stdin reaches EOF. Args: configFile.
 */
public final class CnmAgentTestMain {
    private CnmAgentTestMain() {}

    public static void main(String[] args) throws Exception {
        AgentConfig cfg = AgentConfig.load(Path.of(args[0]));
        try (Agent agent = Agent.start(cfg)) {
            System.out.println("READY");
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for EOF
            }
        }
    }
}
