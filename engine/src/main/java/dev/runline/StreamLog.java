package dev.runline;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One attempt's stream: the chunks it emitted, how many {@code /stream} has returned (each
 * is returned once), the signal a waiting {@code /stream} holds, and the in-process
 * listeners that follow it live. Made only for jobs that stream or are read as a stream.
 *
 * <p>Not thread-safe by itself: its job calls it under the job's monitor, where it also reads
 * the job's state, so no chunk is told after the end and no end before a chunk.
 */
final class StreamLog {
  private ArrayList<Object> chunks;
  private int drained;
  private CompletableFuture<Void> change;
  private List<StreamListener> listeners;

  /**
   * Adds a chunk and tells the listeners.
   *
   * @return the signal of a waiting {@code /stream}, to complete once outside the monitor, or
   *     {@code null}
   */
  CompletableFuture<Void> add(Object chunk) {
    if (chunks == null) {
      chunks = new ArrayList<>();
    }
    chunks.add(chunk);
    if (listeners != null) {
      for (StreamListener listener : listeners) {
        listener.onChunk(chunk);
      }
    }
    return takeChange();
  }

  /** The chunks so far, a copy. */
  List<Object> chunks() {
    return chunks == null ? List.of() : new ArrayList<>(chunks);
  }

  /**
   * Whether {@code /stream} has something to return: a chunk not yet drained, counting
   * {@code finalChunk} (the output of a job that did not stream, once it completed) when
   * not {@code null}.
   */
  boolean hasNew(Object finalChunk) {
    return size(finalChunk) > drained;
  }

  /** The chunks not returned yet, then marks them returned. */
  List<StreamBatch.Chunk> drain(Object finalChunk) {
    int stored = chunks == null ? 0 : chunks.size();
    int size = size(finalChunk);
    List<StreamBatch.Chunk> out = new ArrayList<>(size - drained);
    for (int i = drained; i < size; i++) {
      out.add(new StreamBatch.Chunk(i < stored ? chunks.get(i) : finalChunk));
    }
    drained = size;
    return out;
  }

  /** Completes at the next chunk or at the end. */
  CompletableFuture<Void> nextChange() {
    if (change == null) {
      change = new CompletableFuture<>();
    }
    return change;
  }

  /** Tells {@code listener} every chunk so far (then {@code finalChunk}, when not {@code null}). */
  void replay(StreamListener listener, Object finalChunk) {
    if (chunks != null) {
      for (Object chunk : chunks) {
        listener.onChunk(chunk);
      }
    }
    if (finalChunk != null) {
      listener.onChunk(finalChunk);
    }
  }

  void follow(StreamListener listener) {
    if (listeners == null) {
      listeners = new ArrayList<>(2);
    }
    listeners.add(listener);
  }

  void unfollow(StreamListener listener) {
    if (listeners != null) {
      listeners.remove(listener);
    }
  }

  /**
   * The attempt ended: the listeners hear {@code lastChunk} (when not {@code null}), then
   * the end, and are dropped.
   *
   * @return the signal of a waiting {@code /stream}, to complete outside the monitor, or {@code null}
   */
  CompletableFuture<Void> end(Object lastChunk, JobStatus body) {
    if (listeners != null) {
      for (StreamListener listener : listeners) {
        if (lastChunk != null) {
          listener.onChunk(lastChunk);
        }
        listener.onTerminal(body);
      }
      listeners = null;
    }
    return takeChange();
  }

  private int size(Object finalChunk) {
    return (chunks == null ? 0 : chunks.size()) + (finalChunk != null ? 1 : 0);
  }

  /** How many chunks it holds. */
  int size() {
    return chunks == null ? 0 : chunks.size();
  }

  CompletableFuture<Void> takeChange() {
    CompletableFuture<Void> signal = change;
    change = null;
    return signal;
  }
}
