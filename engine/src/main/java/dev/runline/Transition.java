package dev.runline;

import dev.runline.spi.JobState;

/**
 * One kind of change of a job's state, as a pure function: the next state from the current
 * one, or {@code null} when the change does not apply to it (a cancel of a job already
 * ended, a complete of an attempt that is not the running one). {@link Job#transition}
 * applies it by compare-and-set; {@link Transitions} has every kind.
 */
@FunctionalInterface
interface Transition {
  JobState next(Job job, JobState current, long now);
}
