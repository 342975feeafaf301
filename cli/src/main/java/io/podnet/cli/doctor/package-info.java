/**
 * {@code podnet doctor}: a node check-up. {@link io.podnet.cli.doctor.DoctorReader} reads the facts (kernel
 * state, files, datastore, probes); {@link io.podnet.cli.doctor.Doctor} turns them into findings, each with
 * the command that fixes it (pure, tested on hand-made facts and on faults seeded in throwaway namespaces).
 */
package io.podnet.cli.doctor;
