package dev.runline.local;

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
import dev.runline.IntakeWaitStrategy;
import dev.runline.spi.Intake;
import dev.runline.spi.QueuedJob;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link Intake}: a bounded, pre-allocated, multi-producer LMAX Disruptor ring
 * whose single consumer hands each batch it sees (up to {@code endOfBatch}) to the backend.
 * Publishing never blocks: a full ring refuses at once.
 */
public final class RingIntake implements Intake {
  private static final Logger LOG = LoggerFactory.getLogger(RingIntake.class);
  /** {@link IntakeWaitStrategy#PHASED}: how long the consumer yields before it parks. */
  static final long PHASED_YIELD_NANOS = 100_000;

  private static final EventTranslatorOneArg<Slot, QueuedJob> PUT = (slot, sequence, job) -> slot.job = job;

  /** A pre-allocated ring entry. */
  private static final class Slot {
    QueuedJob job;
  }

  private final Disruptor<Slot> disruptor;
  private final RingBuffer<Slot> ring;

  private RingIntake(Context context, IntakeWaitStrategy waitStrategy) {
    int size = Integer.highestOneBit(Math.max(context.capacity(), 2) - 1) << 1;
    this.disruptor = new Disruptor<>(Slot::new, size, context.threads(), ProducerType.MULTI, waitStrategy(waitStrategy));
    this.disruptor.handleEventsWith(new BatchHandler(context));
    this.ring = disruptor.start();
  }

  /** Rings whose consumers wait the way {@code waitStrategy} says. */
  public static Intake.Factory factory(IntakeWaitStrategy waitStrategy) {
    return context -> new RingIntake(context, waitStrategy);
  }

  @Override
  public boolean offer(QueuedJob job) {
    return ring.tryPublishEvent(PUT, job);
  }

  /** Waits until every published job was handed to the backend, then stops the consumer. */
  @Override
  public void close() {
    disruptor.shutdown();
  }

  private static WaitStrategy waitStrategy(IntakeWaitStrategy strategy) {
    return switch (strategy) {
      case PHASED -> new YieldingThenBlockingWaitStrategy(PHASED_YIELD_NANOS);
      case BLOCKING -> new BlockingWaitStrategy();
      case LITE_BLOCKING -> new LiteBlockingWaitStrategy();
      case SLEEPING -> new SleepingWaitStrategy();
      case YIELDING -> new YieldingWaitStrategy();
      case BUSY_SPIN -> new BusySpinWaitStrategy();
    };
  }

  private static final class BatchHandler implements EventHandler<Slot> {
    private final String endpoint;
    private final Consumer<List<QueuedJob>> sink;
    private final Consumer<List<QueuedJob>> onSinkFailure;
    private final ArrayList<QueuedJob> batch = new ArrayList<>();

    BatchHandler(Context context) {
      this.endpoint = context.endpoint();
      this.sink = context.sink();
      this.onSinkFailure = context.onSinkFailure();
    }

    @Override
    public void onEvent(Slot slot, long sequence, boolean endOfBatch) {
      batch.add(slot.job);
      slot.job = null;
      if (endOfBatch) {
        try {
          sink.accept(batch);
        } catch (Throwable e) {
          LOG.error("endpoint '{}': its backend refused a batch of {} job(s); they end FAILED", endpoint,
              batch.size(), e);
          onSinkFailure.accept(batch);
        } finally {
          batch.clear();
        }
      }
    }
  }
}
