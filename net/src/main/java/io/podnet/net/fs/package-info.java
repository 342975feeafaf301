/** File-system helpers shared by every module that keeps state on disk: {@link io.podnet.net.fs.AtomicFile}. */
package io.podnet.net.fs;
