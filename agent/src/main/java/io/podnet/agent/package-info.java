/** The node agent: the composition root. */
package io.podnet.agent;
