// Declarations shared by the kernels (kernels.cu) and the JNI bridge (runline_cuda.cu).
//
// The library has two halves: device code that knows nothing of Java, and a host half
// that owns devices, streams and buffers and speaks JNI. Keeping the kernels free of JNI
// lets them be compiled for several GPU architectures without pulling jni.h into the
// device compilation passes.
#ifndef RUNLINE_CUDA_H
#define RUNLINE_CUDA_H

#include <cuda_runtime.h>
#include <stddef.h>
#include <stdint.h>

namespace runline {

// The most results one query may ask for. The top-k kernel sorts a row's winners in
// shared memory with one thread per winner, so this is also its block size.
// CudaNative.MAX_K in Java must hold the same value.
constexpr int kMaxK = 1024;

// The oldest architecture the fat binary carries machine code for (sm_80); newer ones
// run the same code or JIT the compute_90 PTX.
constexpr int kMinComputeMajor = 8;

// Columns of the score matrix computed per pass of a search. A search over N rows holds
// at most Q x chunk scores on the device instead of Q x N, so memory stays bounded for
// any index size; the running top-k of each query is carried from one chunk to the next.
size_t search_chunk_columns(int queries, int rows);

// C (m x n) = A (m x k) * B (k x n), all row-major, on `stream`.
cudaError_t launch_matmul(const float* a, const float* b, float* c, int m, int n, int k,
                          cudaStream_t stream);

// For each of the q queries (q x d, row-major), the min(k, n) index rows (n x d,
// row-major) of highest dot product, best first (higher score, then smaller row id),
// written row-major with row stride min(k, n) to out_ids and out_scores. All pointers are
// device memory, on `stream`:
//   scores: q x chunk floats of scratch, one chunk of the score matrix at a time
//   best:   q x min(k, n) keys of scratch, each query's winners so far
cudaError_t launch_search(const float* queries, int q, int d, const float* rows, int n, int k,
                          size_t chunk, float* scores, uint64_t* best, int* out_ids,
                          float* out_scores, cudaStream_t stream);

// Runs a one-thread kernel that writes 42 to *flag: proves that the driver can load
// this library's code for the current device.
cudaError_t launch_probe(int* flag, cudaStream_t stream);

}  // namespace runline

#endif  // RUNLINE_CUDA_H
