package dev.runline.remote;

/**
 * A {@code remote} endpoint's counts since start.
 *
 * @param taken jobs handed to workers
 * @param results results (ends of jobs) accepted from workers
 * @param redeliveries jobs taken back from a lost worker and offered again
 * @param workersLost times a worker lost its jobs by going silent for {@code leaseTimeout}
 * @param throttled take requests refused for their rate
 */
public record RemoteStats(long taken, long results, long redeliveries, long workersLost, long throttled) {}
