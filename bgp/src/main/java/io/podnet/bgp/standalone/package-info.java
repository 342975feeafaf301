/** The standalone speaker ({@code BgpMain --config file.json}), used as a route reflector and by the CLI. */
package io.podnet.bgp.standalone;
