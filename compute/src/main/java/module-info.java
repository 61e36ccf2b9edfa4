/** The built-in compute kernels' shared code, for the backends that compute them. */
module dev.runline.compute {
  requires transitive dev.runline.engine;

  exports dev.runline.compute;
}
