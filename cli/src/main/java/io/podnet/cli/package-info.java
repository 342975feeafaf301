/** The podnet command: agent, lab, cluster administration. */
package io.podnet.cli;
