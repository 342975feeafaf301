/**
 * The rtnetlink wire codec: pure bytes ⇄ records, no I/O. Constants keep their kernel spelling
 * ({@code IFLA_VXLAN_PORT}, {@code RTM_NEWROUTE}, {@code NLM_F_REPLACE}) so they can be grepped against
 * {@code <linux/rtnetlink.h>}, {@code <linux/if_link.h>}, {@code <linux/neighbour.h>}.
 * <pre>
 *   typed value (Link, Route, ...) ──XxxCodec.encode──▶ NlMsgWriter ──▶ byte[] ──▶ socket
 *   socket ──▶ byte[] ──NlMessage.split──▶ NlMessage ──XxxCodec.decode──▶ typed value
 *                                             └── NLMSG_ERROR ──▶ NlError (errno + extended ack)
 * </pre>
 * All multi-byte fields are in host byte order (little-endian on the machines podnet targets) except
 * where the kernel says otherwise (e.g. {@code IFLA_VXLAN_PORT}, which is big-endian).
 */
package io.podnet.rtnetlink.message;
