package dev.runline.compute;

import java.util.AbstractList;
import java.util.RandomAccess;

/** A read-only list view of part of a float array, so an output is not boxed up front. */
final class FloatList extends AbstractList<Float> implements RandomAccess {
  private final float[] values;
  private final int offset;
  private final int size;

  FloatList(float[] values, int offset, int size) {
    this.values = values;
    this.offset = offset;
    this.size = size;
  }

  @Override
  public Float get(int index) {
    return values[offset + java.util.Objects.checkIndex(index, size)];
  }

  @Override
  public int size() {
    return size;
  }
}
