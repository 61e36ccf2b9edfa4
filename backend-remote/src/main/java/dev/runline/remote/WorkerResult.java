package dev.runline.remote;

/**
 * What a worker posts to {@code job-done}: a progress update, or the job's end.
 *
 * @param output the output, or the progress value; {@code null} when there is none
 * @param error why the job failed, as the worker wrote it (the worker library sends a handler's
 *     exception as the JSON text of its type, message and traceback); {@code null} when it did not
 * @param progress whether this is a progress update ({@code "status": "IN_PROGRESS"}), not the end
 * @param stream whether the job streamed its chunks before ({@code isStream=true}): its output
 *     is then their aggregate, not a chunk of its own
 * @param stopPod whether the worker asks to be replaced after this job
 */
public record WorkerResult(Object output, String error, boolean progress, boolean stream, boolean stopPod) {

  /** A progress update showing {@code value}. */
  public static WorkerResult progress(Object value) {
    return new WorkerResult(value, null, true, false, false);
  }

  /** The end of a job: COMPLETED with {@code output}, or FAILED with {@code error} (keeping the output). */
  public static WorkerResult end(Object output, String error, boolean stream, boolean stopPod) {
    return new WorkerResult(output, error, false, stream, stopPod);
  }
}
