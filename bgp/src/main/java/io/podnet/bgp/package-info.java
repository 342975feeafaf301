/** A BGP-4 speaker: wire codec, FSM, RIBs, decision process, route reflection. No kernel dependency. */
package io.podnet.bgp;
