package dev.runline.remote;

/**
 * A job as a worker receives it: {@code {"id": ..., "input": ...}}, with {@code s3Config} when
 * the request had one.
 */
public record WorkerJob(String id, Object input, Object s3Config) {}
