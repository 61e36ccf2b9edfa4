package dev.runline.compute;

import java.util.AbstractList;
import java.util.Objects;
import java.util.RandomAccess;

/** A read-only list view of an int array. */
final class IntList extends AbstractList<Integer> implements RandomAccess {
  private final int[] values;
  private final int size;

  IntList(int[] values, int size) {
    this.values = values;
    this.size = size;
  }

  @Override
  public Integer get(int index) {
    return values[Objects.checkIndex(index, size)];
  }

  @Override
  public int size() {
    return size;
  }
}
