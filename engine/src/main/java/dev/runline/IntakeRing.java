package dev.runline;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.EventTranslatorOneArg;
import com.lmax.disruptor.LiteBlockingWaitStrategy;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import dev.runline.spi.QueuedJob;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;

/**
 * An endpoint's intake: a bounded, pre-allocated, multi-producer Disruptor ring whose single
 * consumer hands each batch it sees (up to {@code endOfBatch}) to the backend. Publishing
 * never blocks: a full ring refuses at once.
 */
final class IntakeRing {
  /** {@link IntakeWaitStrategy#PHASED}: how long the consumer yields before it parks. */
  static final long PHASED_YIELD_NANOS = 100_000;

  private static final EventTranslatorOneArg<Slot, Job> PUT = (slot, sequence, job) -> slot.job = job;

  /** A pre-allocated ring entry. */
  static final class Slot {
    Job job;
  }

  private final Disruptor<Slot> disruptor;
  private final RingBuffer<Slot> ring;

  IntakeRing(int capacity, IntakeWaitStrategy waitStrategy, ThreadFactory threads,
      Consumer<List<QueuedJob>> sink, Consumer<List<QueuedJob>> onSinkFailure) {
    int size = Integer.highestOneBit(Math.max(capacity, 2) - 1) << 1;
    this.disruptor = new Disruptor<>(Slot::new, size, threads, ProducerType.MULTI, waitStrategy(waitStrategy));
    this.disruptor.handleEventsWith(new BatchHandler(sink, onSinkFailure));
    this.ring = disruptor.start();
  }

  /** Publishes {@code job}; {@code false} when the ring is full. */
  boolean offer(Job job) {
    return ring.tryPublishEvent(PUT, job);
  }

  /** Waits until every published job was handed to the backend, then stops the consumer. */
  void close() {
    disruptor.shutdown();
  }

  private static WaitStrategy waitStrategy(IntakeWaitStrategy strategy) {
    switch (strategy) {
      case PHASED:
        return new YieldingThenBlockingWaitStrategy(PHASED_YIELD_NANOS);
      case BLOCKING:
        return new BlockingWaitStrategy();
      case LITE_BLOCKING:
        return new LiteBlockingWaitStrategy();
      case SLEEPING:
        return new SleepingWaitStrategy();
      case YIELDING:
        return new YieldingWaitStrategy();
      case BUSY_SPIN:
        return new BusySpinWaitStrategy();
      default:
        throw new AssertionError(strategy);
    }
  }

  private static final class BatchHandler implements EventHandler<Slot> {
    private final Consumer<List<QueuedJob>> sink;
    private final Consumer<List<QueuedJob>> onSinkFailure;
    private final ArrayList<QueuedJob> batch = new ArrayList<>();

    BatchHandler(Consumer<List<QueuedJob>> sink, Consumer<List<QueuedJob>> onSinkFailure) {
      this.sink = sink;
      this.onSinkFailure = onSinkFailure;
    }

    @Override
    public void onEvent(Slot slot, long sequence, boolean endOfBatch) {
      batch.add(slot.job);
      slot.job = null;
      if (endOfBatch) {
        try {
          sink.accept(batch);
        } catch (Throwable e) {
          onSinkFailure.accept(batch);
        } finally {
          batch.clear();
        }
      }
    }
  }
}
