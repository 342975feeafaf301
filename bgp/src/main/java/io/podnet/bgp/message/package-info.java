/**
 * The BGP-4 wire codec: bytes ⇄ records, nothing else (no I/O, threads or logging).
 * <pre>
 *  byte[] ──MessageCodec.decode──► BgpMessage (Open | Update | Notification | Keepalive | RouteRefresh)
 *                │                      │ Update: withdrawn, PathAttribute list (sealed), NLRI
 *                └─ MalformedMessageException(BgpError(code,subcode), ErrorHandling (RFC 7606), data)
 *  BgpMessage ──MessageCodec.encode──► byte[]
 * </pre>
 * RFC 4271 (BGP-4), RFC 4760 (multiprotocol), RFC 6793 (4-octet AS), RFC 5492 (capabilities), RFC 2918 and
 * RFC 7313 (route refresh), RFC 4724 (graceful restart), RFC 8654 (extended messages), RFC 1997 (communities),
 * RFC 4360 (extended communities), RFC 8092 (large communities), RFC 4456 (route reflection attributes),
 * RFC 7606 (revised error handling), RFC 7607 (AS 0), RFC 9774 (AS_SET deprecated), RFC 5065 (confederation
 * segments) and RFC 4486 (Cease subcodes).
 */
package io.podnet.bgp.message;
