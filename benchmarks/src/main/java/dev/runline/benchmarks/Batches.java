package dev.runline.benchmarks;

/**
 * One side of a submit-to-complete measurement: batches of {@value EngineBatches#BATCH} no-op
 * jobs submitted and awaited, then a check that every job reached COMPLETED.
 * {@link EngineBatches} is the engine's side, {@link BaselineBatches} the thread pool's.
 */
interface Batches {
  /** Submits one batch from {@code producers} and returns when every handler of it has returned. */
  void runBatch(Producers producers) throws InterruptedException;

  /** Checks that every job submitted reached COMPLETED, then closes the engine or the pool. */
  void checkAndClose();
}
