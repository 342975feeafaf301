/**
 * TCP-MD5 signatures (RFC 2385) for BGP sessions. The JDK exposes neither a socket's file descriptor nor
 * {@code TCP_MD5SIG}, so this package holds a deliberately small native socket made with the FFM API
 * ({@code java.lang.foreign}): socket, setsockopt, bind, listen, accept4, connect, read, write, shutdown,
 * close, getsockname — with errno captured through {@code Linker.Option.captureCallState("errno")}. The
 * speaker uses it only for peers with a password, behind the {@link io.podnet.bgp.speaker.Transport} seam.
 * Needs {@code --enable-native-access=io.podnet.bgp} (or ALL-UNNAMED on the class path).
 */
package io.podnet.bgp.md5;
