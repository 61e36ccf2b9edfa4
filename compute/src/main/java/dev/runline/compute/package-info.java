/**
 * Built-in compute kernels: endpoints that run a kernel of the backend instead of a Java
 * handler, with the same semantics on every backend.
 *
 * <pre>{@code
 * Endpoint.builder("search")
 *     .kernel("vector-search")
 *     .backendSetting("index", Map.of("n", 100_000, "d", 64, "seed", 42))
 *     .backend("cpu")                       // or "cuda": the one line that moves it
 *     .build();
 * }</pre>
 *
 * <h2>Kernels</h2>
 *
 * <ul>
 *   <li><b>{@code vector-search}</b>: the backend holds an index of {@code N} float32
 *       vectors of dimension {@code D} ({@link dev.runline.compute.VectorIndex}). Input
 *       {@code {"query": [D numbers], "k": 10}} answers {@code {"ids": [...], "scores": [...]}};
 *       input {@code {"queries": [[...], ...], "k": 10}} answers a list of those, one per
 *       query ({@code []} for an empty list). The results are the {@code k} rows of highest
 *       cosine similarity, scores descending, equal scores ordered by the smaller id;
 *       {@code k} defaults to 10, and a {@code k} above {@code N} returns all {@code N}
 *       rows. A query of zeros is refused (its cosine is undefined).
 *   <li><b>{@code matmul}</b>: input {@code {"a": m×k, "b": k×n}} (lists of rows) answers
 *       {@code {"c": m×n}}.
 * </ul>
 *
 * <p>Any matrix or vector of the input may instead be
 * {@code {"shape": [rows, cols], "f32le": "<base64 of little-endian float32, row-major>"}}
 * ({@code [n]} for a vector) ({@link dev.runline.compute.F32le}). With
 * {@code "output": "f32le"} in the input, the output's arrays come the same way: matmul's
 * {@code c}, and vector-search's {@code scores} (its {@code ids} stay a list).
 *
 * <h2>Numbers</h2>
 *
 * <p>Inputs are rounded to float32; NaN, infinities and values beyond float32's range are
 * refused. Vector-search normalizes every vector (norm in double), and a score is the dot
 * product of two normalized float32 vectors, accumulated in double in index order and
 * rounded to float32, so the CPU backend's answers are exactly those of plain loops.
 * Matmul accumulates in float32 in {@code k} order. Other backends may differ in the last
 * bits (relative error within 1e-4), and so may order two nearly equal scores differently.
 *
 * <h2>Limits and errors</h2>
 *
 * <p>{@link dev.runline.compute.KernelSettings} reads the limits from the endpoint's
 * {@code backendSettings}: {@code maxK} (1000), {@code maxQueries} (1024) for
 * vector-search, {@code maxDim} (4096) for matmul. A malformed input (a missing or unknown
 * field, a wrong type, a ragged or mismatched shape, a size beyond a limit) ends the job
 * FAILED with a {@link dev.runline.compute.KernelInputException} whose message names the
 * field, such as {@code input.queries[3] has 63 numbers; the index has dimension 64}; the
 * worker goes on with the next job.
 *
 * <h2>For backends</h2>
 *
 * <p>A backend implements only the computation, {@link dev.runline.compute.VectorSearchKernel}
 * and {@link dev.runline.compute.MatmulKernel}, and wraps it with
 * {@link dev.runline.compute.ComputeHandlers}, which parse, validate, call the kernel and
 * shape the output. The backend starts each job and runs its attempt with
 * {@link dev.runline.spi.Attempt#run(dev.runline.Handler)}, or a batch of vector-search
 * attempts with one kernel call through
 * {@link dev.runline.compute.ComputeHandlers#runVectorSearch}.
 */
package dev.runline.compute;
