/**
 * Network configuration: config lists ({@code .conflist}) and single configs ({@code .conf}) as files hold them
 * (SPEC.md section 1), and the per-invocation plugin config a runtime puts on stdin ({@link io.podnet.cni.config.NetConf}:
 * {@code runtimeConfig} capability args, {@code args.cni}, {@code prevResult}, GC attachment lists).
 */
package io.podnet.cni.config;
