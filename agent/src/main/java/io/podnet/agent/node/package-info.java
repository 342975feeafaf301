/** Node-level health of kernel state the agent shares with everything else on the host (the neighbour table). */
package io.podnet.agent.node;
