/** The {@code podnet} command (picocli): one subcommand class per verb; {@link io.podnet.cli.Main} is the entry. */
package io.podnet.cli;
