/** IP address management: ranges, crash-safe local allocation store, GC. */
package io.podnet.ipam;
