/**
 * The engine's default implementations of its seams, in this process's memory:
 * {@link dev.runline.local.LocalJobStore} (jobs in a Caffeine cache whose expiry follows each
 * job's state) and {@link dev.runline.local.RingIntake} (an LMAX Disruptor ring per
 * endpoint). Both are written against the SPI only ({@link dev.runline.spi.JobStore},
 * {@link dev.runline.spi.Intake}), as another implementation would be.
 */
package dev.runline.local;
