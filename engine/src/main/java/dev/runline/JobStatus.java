package dev.runline;


/**
 * A job's status body, as {@code /status} returns it. Absent values are {@code null} and
 * left out of the JSON form.
 *
 * @param id the job's id
 * @param status its state
 * @param delayTime milliseconds it waited in the queue before a worker took it (from
 *     IN_PROGRESS on)
 * @param executionTime milliseconds it ran (once terminal, and while a progress update is
 *     shown)
 * @param output the handler's output, or its latest progress value while IN_PROGRESS
 * @param error why it failed (FAILED, TIMED_OUT, or CANCELLED by shutdown)
 * @param retries how often {@code retry} re-queued it, when more than zero
 * @param workerId the worker that ran it, once one took it
 * @param redeliveries how often a worker running it was lost and the job queued again, when more
 *     than zero: the one case where a job runs more than once for one attempt
 */
public record JobStatus(
    String id,
    Status status,
    Long delayTime,
    Long executionTime,
    Object output,
    String error,
    Integer retries,
    String workerId,
    Integer redeliveries) {

  /** Only the id and the state, as {@code /run}, {@code /cancel} and {@code /retry} answer. */
  public static JobStatus brief(String id, Status status) {
    return new JobStatus(id, status, null, null, null, null, null, null, null);
  }

  /** The id, state and delay time only: what {@code /runsync} answers when its wait ran out. */
  public JobStatus pending() {
    return new JobStatus(id, status, delayTime, null, null, null, null, null, null);
  }
}
