/**
 * {@code podnet install} / {@code uninstall}: the files podnet puts on a node ({@link io.podnet.cli.install.InstallPlan},
 * pure) and their application under a root with a manifest that uninstall follows ({@link io.podnet.cli.install.Installer}).
 */
package io.podnet.cli.install;
