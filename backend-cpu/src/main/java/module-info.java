/** The {@code cpu} backend: Java worker threads, and the compute kernels in Java. */
module dev.runline.backend.cpu {
  requires dev.runline.compute;
  requires org.slf4j;

  exports dev.runline.cpu;

  provides dev.runline.spi.BackendProvider with dev.runline.cpu.CpuBackendProvider;
}
