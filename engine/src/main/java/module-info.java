/**
 * Runline's engine: the endpoint API in process ({@link dev.runline.Runline}), the SPI that
 * backends, job stores and intakes implement ({@code dev.runline.spi}), their in-memory
 * defaults ({@code dev.runline.local}) and the YAML configuration ({@code dev.runline.config}).
 * The engine's own classes are package-private in {@code dev.runline}.
 */
module dev.runline.engine {
  requires transitive com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.dataformat.yaml;
  requires com.github.benmanes.caffeine;
  requires com.google.common;
  requires com.lmax.disruptor;
  requires io.github.bucket4j.core;
  requires java.net.http;
  requires org.slf4j;

  exports dev.runline;
  exports dev.runline.config;
  exports dev.runline.local;
  exports dev.runline.spi;

  // The configuration file is bound to records of this package.
  opens dev.runline.config to com.fasterxml.jackson.databind;

  uses dev.runline.spi.BackendProvider;
  uses dev.runline.spi.SharedStoreProvider;
}
