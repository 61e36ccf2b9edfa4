package dev.runline.testing;

import dev.runline.spi.Intake;
import java.util.List;

/**
 * An intake with no thread of its own: each job is handed to the backend on the thread that
 * admits it. For tests that want every step of a job on threads they start themselves.
 */
public final class DirectIntake {
  private DirectIntake() {}

  public static Intake.Factory factory() {
    return context -> new Intake() {
      @Override
      public boolean offer(dev.runline.spi.QueuedJob job) {
        context.sink().accept(List.of(job));
        return true;
      }

      @Override
      public void close() {}
    };
  }
}
