/** The {@code cuda} backend: the compute kernels on an NVIDIA GPU through JNI, batched. */
module dev.runline.backend.cuda {
  requires dev.runline.compute;
  requires org.slf4j;

  exports dev.runline.cuda;

  provides dev.runline.spi.BackendProvider with dev.runline.cuda.CudaBackendProvider;
}
