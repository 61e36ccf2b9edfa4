package dev.runline.local;

import dev.runline.spi.Intake;
import dev.runline.spi.QueuedJob;
import java.util.List;

/**
 * The default {@link Intake}: each admitted job is handed to its backend on the admitting
 * thread, at once, with no thread of the intake's own in between. The backend's own queue of
 * waiting jobs is the only queue a job waits in, and its workers take from it directly, so a
 * job crosses one thread boundary on its way to a worker instead of two: measured on a
 * two-core machine, the hop through a ring's consumer thread cost more than the ring saved
 * (see the README's performance section). The endpoint's bounded queue is kept by admission
 * ({@code queueCapacity}), so a direct intake never refuses.
 *
 * <p>A backend whose hand-off is costly, or that wants the jobs in batches off the callers'
 * threads, can be given {@link RingIntake} instead.
 */
public final class DirectIntake implements Intake {
  private final Context context;

  private DirectIntake(Context context) {
    this.context = context;
  }

  /** Hands each job to the backend on the admitting thread. */
  public static Intake.Factory factory() {
    return DirectIntake::new;
  }

  @Override
  public boolean offer(QueuedJob job) {
    List<QueuedJob> one = List.of(job);
    try {
      context.sink().accept(one);
    } catch (RuntimeException | Error e) {
      context.onSinkFailure().accept(one);
    }
    return true;
  }

  @Override
  public void close() {
    // Nothing is held here: every job accepted was handed over when it was offered.
  }
}
