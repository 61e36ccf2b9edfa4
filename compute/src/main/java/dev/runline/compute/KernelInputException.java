package dev.runline.compute;

/**
 * A job's input that a kernel cannot take: a missing or unknown field, a wrong type, a
 * malformed shape, a number that is not finite, or a size beyond the endpoint's limits.
 * The job ends FAILED with this message; {@link #field()} is the path of the field at
 * fault, such as {@code input.queries[3]}.
 */
public final class KernelInputException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String field;

  public KernelInputException(String field, String message) {
    super(message);
    this.field = field;
  }

  /** The path of the field at fault, e.g. {@code input.a.shape}. */
  public String field() {
    return field;
  }
}
