package dev.runline.compute;

/**
 * The computation of a matmul endpoint on one backend. Parsing, validation and output
 * shaping are done around it by {@link ComputeHandlers}; a backend implements only this.
 */
public interface MatmulKernel {
  /**
   * {@code c = a × b}: {@code c[i][j]} is the sum over {@code p} of
   * {@code a[i][p] × b[p][j]}, returned as float32.
   *
   * @param a {@code m × k}, all dimensions at least 1
   * @param b {@code k × n}
   * @return {@code m × n}
   * @throws InterruptedException when the calling thread is interrupted (the job was
   *     cancelled or timed out); the result is then not needed
   */
  Matrix multiply(Matrix a, Matrix b) throws InterruptedException;
}
