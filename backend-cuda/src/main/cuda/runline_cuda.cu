// The host half of the library: device checks, worker handles (one stream and one set of
// buffers each), device-resident vector indexes, and the JNI entry points of
// dev.runline.cuda.CudaNative.
//
// Buffers. A worker owns two pinned host buffers (staging for what goes to the device and
// what comes back) and four device buffers. All of them only ever grow, geometrically,
// when a bigger batch arrives, so a steady stream of jobs allocates nothing: no
// cudaMalloc, no cudaHostAlloc per call. Every call ends with its stream synchronized, so
// at the start of the next call nothing in flight can still be using a buffer about to
// be replaced.
//
// Java arrays. Inputs are copied with Get<Type>ArrayRegion straight into the pinned
// staging buffer (one copy, no JNI critical section), then sent with cudaMemcpyAsync,
// which runs at full bus speed only from pinned memory; results come back into pinned
// memory and are copied out with Set<Type>ArrayRegion. A critical section would let the
// driver read the Java array in place, but it would then have to be held across the
// transfer and the kernels, stalling the garbage collector for the length of a launch,
// and the driver would still stage pageable memory through a pinned buffer of its own.
// Direct ByteBuffers over pinned memory would save the one host copy, but the compute
// API hands over float[] matrices, so the copy would only move into Java.
//
// Threads. A worker handle is used by one Java thread at a time (CudaWorker serializes
// it); an index may be searched by every worker of its device at once, since searches
// only read it. The current device is per thread in CUDA, so every call selects the
// handle's device first.
#include <jni.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <new>

#include "runline_cuda.h"

namespace {

using runline::kMaxK;
using runline::kMinComputeMajor;

// Sub-buffers start at this alignment (the one cudaMalloc itself guarantees).
constexpr size_t kAlign = 256;
// An index is written through the worker's staging buffer in slices of this many floats
// (64 MiB), so a large upload does not grow the staging buffer to the index's size.
constexpr size_t kUploadSliceFloats = (size_t)16 << 20;

size_t align_up(size_t bytes) { return (bytes + kAlign - 1) / kAlign * kAlign; }

size_t grown_size(size_t have, size_t need) { return have * 2 > need ? have * 2 : need; }

struct DeviceBuffer {
  void* ptr = nullptr;
  size_t bytes = 0;
};

struct PinnedBuffer {
  void* ptr = nullptr;
  size_t bytes = 0;
};

// Grows `buf` to at least `need` bytes. Doubling keeps the number of reallocations
// logarithmic in the largest batch; when doubling does not fit, the exact size may.
cudaError_t reserve(DeviceBuffer& buf, size_t need) {
  if (need <= buf.bytes) return cudaSuccess;
  if (buf.ptr != nullptr) {
    cudaFree(buf.ptr);
    buf.ptr = nullptr;
    buf.bytes = 0;
  }
  size_t size = grown_size(buf.bytes, need);
  cudaError_t err = cudaMalloc(&buf.ptr, size);
  if (err == cudaErrorMemoryAllocation && size > need) {
    cudaGetLastError();
    size = need;
    err = cudaMalloc(&buf.ptr, size);
  }
  if (err != cudaSuccess) {
    buf.ptr = nullptr;
    return err;
  }
  buf.bytes = size;
  return cudaSuccess;
}

cudaError_t reserve(PinnedBuffer& buf, size_t need) {
  if (need <= buf.bytes) return cudaSuccess;
  const size_t old = buf.bytes;
  if (buf.ptr != nullptr) {
    cudaFreeHost(buf.ptr);
    buf.ptr = nullptr;
    buf.bytes = 0;
  }
  size_t size = grown_size(old, need);
  cudaError_t err = cudaHostAlloc(&buf.ptr, size, cudaHostAllocDefault);
  if (err == cudaErrorMemoryAllocation && size > need) {
    cudaGetLastError();
    size = need;
    err = cudaHostAlloc(&buf.ptr, size, cudaHostAllocDefault);
  }
  if (err != cudaSuccess) {
    buf.ptr = nullptr;
    return err;
  }
  buf.bytes = size;
  return cudaSuccess;
}

struct Worker {
  int device = 0;
  cudaStream_t stream = nullptr;
  PinnedBuffer host_in;   // queries, matrices A and B, index slices
  PinnedBuffer host_out;  // top-k ids and scores, matrix C
  DeviceBuffer in;        // queries, or A then B
  DeviceBuffer scores;    // one chunk of the score matrix
  DeviceBuffer best;      // running top-k order keys
  DeviceBuffer out;       // top-k ids then scores, or C
};

struct Index {
  int device = 0;
  int rows = 0;
  int dim = 0;
  float* data = nullptr;
};

// --- Errors as Java exceptions --------------------------------------------------------

void throw_java(JNIEnv* env, const char* class_name, const char* format, ...) {
  char message[1024];
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof message, format, args);
  va_end(args);
  jclass type = env->FindClass(class_name);
  if (type != nullptr) env->ThrowNew(type, message);
}

void throw_argument(JNIEnv* env, const char* format, ...) {
  char message[1024];
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof message, format, args);
  va_end(args);
  throw_java(env, "java/lang/IllegalArgumentException", "%s", message);
}

// Throws IllegalStateException naming the failed step and CUDA's error; returns whether
// `err` was success. The last-error slot is cleared so that a recoverable failure (an
// allocation, a bad argument) does not resurface in the next call; errors that poison
// the context (an illegal address) keep failing every later call, which the message says.
bool cuda_ok(JNIEnv* env, cudaError_t err, const char* step) {
  if (err == cudaSuccess) return true;
  cudaGetLastError();
  const bool sticky = err == cudaErrorIllegalAddress || err == cudaErrorLaunchFailure ||
                      err == cudaErrorIllegalInstruction || err == cudaErrorMisalignedAddress ||
                      err == cudaErrorHardwareStackError || err == cudaErrorAssert;
  throw_java(env, "java/lang/IllegalStateException", "CUDA %s failed: %s (%s)%s", step,
             cudaGetErrorString(err), cudaGetErrorName(err),
             sticky ? "; the device context is unusable until the process restarts" : "");
  return false;
}

bool jni_ok(JNIEnv* env) { return !env->ExceptionCheck(); }

Worker* as_worker(JNIEnv* env, jlong handle) {
  if (handle == 0) throw_argument(env, "no worker: the CudaWorker is closed");
  return reinterpret_cast<Worker*>(handle);
}

Index* as_index(JNIEnv* env, jlong handle) {
  if (handle == 0) throw_argument(env, "no index: the DeviceIndex is closed");
  return reinterpret_cast<Index*>(handle);
}

// Checks that `array` holds at least `needed` elements.
bool long_enough(JNIEnv* env, jarray array, size_t needed, const char* what) {
  if (array == nullptr) {
    throw_java(env, "java/lang/NullPointerException", "%s", what);
    return false;
  }
  const size_t length = (size_t)env->GetArrayLength(array);
  if (length < needed) {
    throw_argument(env, "%s has %zu elements, needs %zu", what, length, needed);
    return false;
  }
  return true;
}

// --- Devices ---------------------------------------------------------------------------

// Fills `reason` and returns false when `device` cannot run this library's kernels.
bool check_device(int device, char* reason, size_t size) {
  cudaDeviceProp props;
  cudaError_t err = cudaGetDeviceProperties(&props, device);
  if (err != cudaSuccess) {
    cudaGetLastError();
    snprintf(reason, size, "device %d: cudaGetDeviceProperties failed: %s", device,
             cudaGetErrorString(err));
    return false;
  }
  if (props.major < kMinComputeMajor) {
    snprintf(reason, size,
             "device %d (%s) has compute capability %d.%d; this library needs %d.0 or newer",
             device, props.name, props.major, props.minor, kMinComputeMajor);
    return false;
  }
  return true;
}

// Runs the probe kernel on `device`; fills `reason` and returns false when it cannot.
bool run_probe_kernel(int device, char* reason, size_t size) {
  int* flag = nullptr;
  int value = 0;
  cudaError_t err = cudaSetDevice(device);
  if (err == cudaSuccess) err = cudaMalloc(&flag, sizeof(int));
  if (err == cudaSuccess) err = runline::launch_probe(flag, 0);
  if (err == cudaSuccess) err = cudaMemcpy(&value, flag, sizeof(int), cudaMemcpyDeviceToHost);
  if (flag != nullptr) cudaFree(flag);
  if (err != cudaSuccess) {
    cudaGetLastError();
    snprintf(reason, size, "device %d cannot run this library's kernels: %s (%s)", device,
             cudaGetErrorString(err), cudaGetErrorName(err));
    return false;
  }
  if (value != 42) {
    snprintf(reason, size, "device %d ran the probe kernel but returned %d instead of 42",
             device, value);
    return false;
  }
  return true;
}

void append(char* buffer, size_t size, const char* text) {
  const size_t used = strlen(buffer);
  if (used + 1 >= size) return;
  snprintf(buffer + used, size - used, "%s%s", used > 0 ? "; " : "", text);
}

// Null when some device runs the kernels, else why none does.
jstring probe(JNIEnv* env) {
  char reason[1024] = "";
  int driver = 0;
  int runtime = 0;
  cudaDriverGetVersion(&driver);
  cudaRuntimeGetVersion(&runtime);
  if (driver == 0) {
    return env->NewStringUTF(
        "no CUDA driver: libcuda.so.1 could not be loaded; install the NVIDIA driver (in a "
        "container, run it with the GPU exposed, e.g. docker run --gpus all)");
  }
  if (driver / 1000 < runtime / 1000) {
    snprintf(reason, sizeof reason,
             "CUDA driver too old: it supports CUDA %d.%d, this library is built with CUDA "
             "%d.%d and needs a driver for CUDA %d.0 or newer; update the NVIDIA driver",
             driver / 1000, driver % 1000 / 10, runtime / 1000, runtime % 1000 / 10,
             runtime / 1000);
    return env->NewStringUTF(reason);
  }
  int count = 0;
  cudaError_t err = cudaGetDeviceCount(&count);
  if (err == cudaErrorNoDevice || (err == cudaSuccess && count == 0)) {
    cudaGetLastError();
    snprintf(reason, sizeof reason,
             "no CUDA device visible (driver for CUDA %d.%d); check that a GPU is installed "
             "and that CUDA_VISIBLE_DEVICES does not hide it",
             driver / 1000, driver % 1000 / 10);
    return env->NewStringUTF(reason);
  }
  if (err != cudaSuccess) {
    cudaGetLastError();
    snprintf(reason, sizeof reason, "cudaGetDeviceCount failed: %s (%s)", cudaGetErrorString(err),
             cudaGetErrorName(err));
    return env->NewStringUTF(reason);
  }
  for (int device = 0; device < count; ++device) {
    char why[512];
    if (check_device(device, why, sizeof why) && run_probe_kernel(device, why, sizeof why)) {
      return nullptr;
    }
    append(reason, sizeof reason, why);
  }
  return env->NewStringUTF(reason);
}

// --- Search and matmul -----------------------------------------------------------------

void search(JNIEnv* env, jlong worker_handle, jlong index_handle, jfloatArray queries, jint q,
            jint d, jint k, jintArray out_ids, jfloatArray out_scores) {
  Worker* w = as_worker(env, worker_handle);
  if (w == nullptr) return;
  Index* ix = as_index(env, index_handle);
  if (ix == nullptr) return;
  if (ix->device != w->device) {
    throw_argument(env, "the index lives on device %d, the worker on device %d", ix->device,
                   w->device);
    return;
  }
  if (d != ix->dim) {
    throw_argument(env, "queries have %d dimensions, the index has %d", d, ix->dim);
    return;
  }
  if (q < 0 || k < 1) {
    throw_argument(env, "need q >= 0 and k >= 1, got q=%d, k=%d", q, k);
    return;
  }
  const int kept = k < ix->rows ? k : ix->rows;
  if (kept > kMaxK) {
    throw_argument(env, "k=%d is more than the %d results a query may ask for", k, kMaxK);
    return;
  }
  const size_t query_floats = (size_t)q * (size_t)d;
  const size_t result_count = (size_t)q * (size_t)kept;
  if (!long_enough(env, queries, query_floats, "queries") ||
      !long_enough(env, out_ids, result_count, "outIds") ||
      !long_enough(env, out_scores, result_count, "outScores")) {
    return;
  }
  if (result_count == 0) return;

  const size_t chunk = runline::search_chunk_columns(q, ix->rows);
  const size_t query_bytes = query_floats * sizeof(float);
  const size_t ids_bytes = align_up(result_count * sizeof(int));
  const size_t result_bytes = ids_bytes + result_count * sizeof(float);
  if (!cuda_ok(env, cudaSetDevice(w->device), "cudaSetDevice") ||
      !cuda_ok(env, reserve(w->host_in, query_bytes), "cudaHostAlloc (queries)") ||
      !cuda_ok(env, reserve(w->in, query_bytes), "cudaMalloc (queries)") ||
      !cuda_ok(env, reserve(w->scores, (size_t)q * chunk * sizeof(float)), "cudaMalloc (scores)") ||
      !cuda_ok(env, reserve(w->best, result_count * sizeof(uint64_t)), "cudaMalloc (top-k)") ||
      !cuda_ok(env, reserve(w->out, result_bytes), "cudaMalloc (results)") ||
      !cuda_ok(env, reserve(w->host_out, result_bytes), "cudaHostAlloc (results)")) {
    return;
  }
  env->GetFloatArrayRegion(queries, 0, (jsize)query_floats, static_cast<float*>(w->host_in.ptr));
  if (!jni_ok(env)) return;

  float* d_queries = static_cast<float*>(w->in.ptr);
  float* d_scores = static_cast<float*>(w->scores.ptr);
  uint64_t* d_best = static_cast<uint64_t*>(w->best.ptr);
  int* d_ids = static_cast<int*>(w->out.ptr);
  float* d_top_scores = reinterpret_cast<float*>(static_cast<char*>(w->out.ptr) + ids_bytes);
  if (!cuda_ok(env, cudaMemcpyAsync(d_queries, w->host_in.ptr, query_bytes,
                                    cudaMemcpyHostToDevice, w->stream),
               "cudaMemcpyAsync (queries)")) {
    return;
  }
  if (!cuda_ok(env, runline::launch_search(d_queries, q, d, ix->data, ix->rows, kept, chunk,
                                            d_scores, d_best, d_ids, d_top_scores, w->stream),
               "search kernel launch")) {
    cudaStreamSynchronize(w->stream);
    return;
  }
  if (!cuda_ok(env, cudaMemcpyAsync(w->host_out.ptr, w->out.ptr, result_bytes,
                                    cudaMemcpyDeviceToHost, w->stream),
               "cudaMemcpyAsync (results)") ||
      !cuda_ok(env, cudaStreamSynchronize(w->stream), "search")) {
    cudaStreamSynchronize(w->stream);
    return;
  }
  char* host = static_cast<char*>(w->host_out.ptr);
  env->SetIntArrayRegion(out_ids, 0, (jsize)result_count, reinterpret_cast<const jint*>(host));
  env->SetFloatArrayRegion(out_scores, 0, (jsize)result_count,
                           reinterpret_cast<const jfloat*>(host + ids_bytes));
}

void matmul(JNIEnv* env, jlong worker_handle, jfloatArray a, jint m, jint k, jfloatArray b,
            jint n, jfloatArray c) {
  Worker* w = as_worker(env, worker_handle);
  if (w == nullptr) return;
  if (m < 0 || k < 0 || n < 0) {
    throw_argument(env, "matrix sizes must not be negative, got m=%d, k=%d, n=%d", m, k, n);
    return;
  }
  const size_t a_floats = (size_t)m * (size_t)k;
  const size_t b_floats = (size_t)k * (size_t)n;
  const size_t c_floats = (size_t)m * (size_t)n;
  if (!long_enough(env, a, a_floats, "a") || !long_enough(env, b, b_floats, "b") ||
      !long_enough(env, c, c_floats, "c")) {
    return;
  }
  if (c_floats == 0) return;

  const size_t b_offset = align_up(a_floats * sizeof(float));
  const size_t in_bytes = b_offset + b_floats * sizeof(float);
  const size_t c_bytes = c_floats * sizeof(float);
  if (!cuda_ok(env, cudaSetDevice(w->device), "cudaSetDevice") ||
      !cuda_ok(env, reserve(w->host_in, in_bytes), "cudaHostAlloc (a, b)") ||
      !cuda_ok(env, reserve(w->in, in_bytes), "cudaMalloc (a, b)") ||
      !cuda_ok(env, reserve(w->out, c_bytes), "cudaMalloc (c)") ||
      !cuda_ok(env, reserve(w->host_out, c_bytes), "cudaHostAlloc (c)")) {
    return;
  }
  char* staged = static_cast<char*>(w->host_in.ptr);
  if (a_floats > 0) {
    env->GetFloatArrayRegion(a, 0, (jsize)a_floats, reinterpret_cast<jfloat*>(staged));
  }
  if (b_floats > 0) {
    env->GetFloatArrayRegion(b, 0, (jsize)b_floats, reinterpret_cast<jfloat*>(staged + b_offset));
  }
  if (!jni_ok(env)) return;
  char* device_in = static_cast<char*>(w->in.ptr);
  // With k = 0 nothing is sent and the kernel writes zeros without reading A or B.
  if ((in_bytes > 0 &&
       !cuda_ok(env, cudaMemcpyAsync(device_in, staged, in_bytes, cudaMemcpyHostToDevice,
                                     w->stream),
                "cudaMemcpyAsync (a, b)")) ||
      !cuda_ok(env, runline::launch_matmul(reinterpret_cast<float*>(device_in),
                                           reinterpret_cast<float*>(device_in + b_offset),
                                           static_cast<float*>(w->out.ptr), m, n, k, w->stream),
               "matmul kernel launch") ||
      !cuda_ok(env, cudaMemcpyAsync(w->host_out.ptr, w->out.ptr, c_bytes, cudaMemcpyDeviceToHost,
                                    w->stream),
               "cudaMemcpyAsync (c)") ||
      !cuda_ok(env, cudaStreamSynchronize(w->stream), "matmul")) {
    cudaStreamSynchronize(w->stream);
    return;
  }
  env->SetFloatArrayRegion(c, 0, (jsize)c_floats, static_cast<const jfloat*>(w->host_out.ptr));
}

}  // namespace

// --- JNI entry points of dev.runline.cuda.CudaNative -----------------------------------

extern "C" {

JNIEXPORT jstring JNICALL Java_dev_runline_cuda_CudaNative_probe(JNIEnv* env, jclass) {
  return probe(env);
}

JNIEXPORT jint JNICALL Java_dev_runline_cuda_CudaNative_maxK(JNIEnv*, jclass) { return kMaxK; }

JNIEXPORT jint JNICALL Java_dev_runline_cuda_CudaNative_countDevices(JNIEnv*, jclass) {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();
    return 0;
  }
  return count;
}

JNIEXPORT jstring JNICALL Java_dev_runline_cuda_CudaNative_describeDevice(JNIEnv* env, jclass,
                                                                          jint device) {
  if (device < 0) {
    throw_argument(env, "device must be >= 0, was %d", device);
    return nullptr;
  }
  cudaDeviceProp props;
  if (!cuda_ok(env, cudaGetDeviceProperties(&props, device), "cudaGetDeviceProperties")) {
    return nullptr;
  }
  char text[512];
  snprintf(text, sizeof text, "%s, compute capability %d.%d, %d SMs, %zu MiB", props.name,
           props.major, props.minor, props.multiProcessorCount, props.totalGlobalMem >> 20);
  return env->NewStringUTF(text);
}

JNIEXPORT jlong JNICALL Java_dev_runline_cuda_CudaNative_openWorker(JNIEnv* env, jclass,
                                                                    jint device) {
  if (device < 0) {
    throw_argument(env, "device must be >= 0, was %d", device);
    return 0;
  }
  int count = 0;
  if (!cuda_ok(env, cudaGetDeviceCount(&count), "cudaGetDeviceCount")) return 0;
  if (device >= count) {
    throw_argument(env, "device %d does not exist: %d CUDA device(s) visible", device, count);
    return 0;
  }
  char reason[512];
  if (!check_device(device, reason, sizeof reason)) {
    throw_java(env, "java/lang/IllegalStateException", "%s", reason);
    return 0;
  }
  if (!cuda_ok(env, cudaSetDevice(device), "cudaSetDevice")) return 0;
  Worker* w = new (std::nothrow) Worker();
  if (w == nullptr) {
    throw_java(env, "java/lang/OutOfMemoryError", "native worker handle");
    return 0;
  }
  w->device = device;
  // Non-blocking: the worker's stream never waits on work in the legacy default stream.
  if (!cuda_ok(env, cudaStreamCreateWithFlags(&w->stream, cudaStreamNonBlocking),
               "cudaStreamCreate")) {
    delete w;
    return 0;
  }
  return reinterpret_cast<jlong>(w);
}

JNIEXPORT void JNICALL Java_dev_runline_cuda_CudaNative_closeWorker(JNIEnv*, jclass,
                                                                    jlong handle) {
  if (handle == 0) return;
  Worker* w = reinterpret_cast<Worker*>(handle);
  // Best effort: a worker is closed on shutdown paths that must not fail half-way.
  cudaSetDevice(w->device);
  cudaStreamSynchronize(w->stream);
  cudaStreamDestroy(w->stream);
  cudaFreeHost(w->host_in.ptr);
  cudaFreeHost(w->host_out.ptr);
  cudaFree(w->in.ptr);
  cudaFree(w->scores.ptr);
  cudaFree(w->best.ptr);
  cudaFree(w->out.ptr);
  cudaGetLastError();
  delete w;
}

JNIEXPORT jlong JNICALL Java_dev_runline_cuda_CudaNative_allocateIndex(JNIEnv* env, jclass,
                                                                       jlong worker, jint rows,
                                                                       jint dim) {
  Worker* w = as_worker(env, worker);
  if (w == nullptr) return 0;
  if (rows < 0 || dim < 1) {
    throw_argument(env, "an index needs rows >= 0 and dim >= 1, got rows=%d, dim=%d", rows, dim);
    return 0;
  }
  Index* ix = new (std::nothrow) Index();
  if (ix == nullptr) {
    throw_java(env, "java/lang/OutOfMemoryError", "native index handle");
    return 0;
  }
  ix->device = w->device;
  ix->rows = rows;
  ix->dim = dim;
  const size_t bytes = (size_t)rows * (size_t)dim * sizeof(float);
  if (bytes > 0) {
    if (!cuda_ok(env, cudaSetDevice(w->device), "cudaSetDevice") ||
        !cuda_ok(env, cudaMalloc(reinterpret_cast<void**>(&ix->data), bytes), "cudaMalloc (index)")) {
      delete ix;
      return 0;
    }
    // Zeroed, so rows never written score 0 rather than whatever the memory held.
    if (!cuda_ok(env, cudaMemsetAsync(ix->data, 0, bytes, w->stream), "cudaMemsetAsync (index)") ||
        !cuda_ok(env, cudaStreamSynchronize(w->stream), "index allocation")) {
      cudaFree(ix->data);
      delete ix;
      return 0;
    }
  }
  return reinterpret_cast<jlong>(ix);
}

JNIEXPORT void JNICALL Java_dev_runline_cuda_CudaNative_writeIndexRows(JNIEnv* env, jclass,
                                                                       jlong worker, jlong index,
                                                                       jint first_row,
                                                                       jfloatArray rows,
                                                                       jint count) {
  Worker* w = as_worker(env, worker);
  if (w == nullptr) return;
  Index* ix = as_index(env, index);
  if (ix == nullptr) return;
  if (ix->device != w->device) {
    throw_argument(env, "the index lives on device %d, the worker on device %d", ix->device,
                   w->device);
    return;
  }
  if (first_row < 0 || count < 0 || (long long)first_row + count > ix->rows) {
    throw_argument(env, "rows %d..%d do not fit an index of %d rows", first_row,
                   first_row + count - 1, ix->rows);
    return;
  }
  const size_t total = (size_t)count * (size_t)ix->dim;
  if (!long_enough(env, rows, total, "rows") || total == 0) return;
  const size_t slice = total < kUploadSliceFloats ? total : kUploadSliceFloats;
  if (!cuda_ok(env, cudaSetDevice(w->device), "cudaSetDevice") ||
      !cuda_ok(env, reserve(w->host_in, slice * sizeof(float)), "cudaHostAlloc (index slice)")) {
    return;
  }
  float* target = ix->data + (size_t)first_row * (size_t)ix->dim;
  float* staged = static_cast<float*>(w->host_in.ptr);
  for (size_t done = 0; done < total; done += slice) {
    const size_t len = total - done < slice ? total - done : slice;
    env->GetFloatArrayRegion(rows, (jsize)done, (jsize)len, staged);
    if (!jni_ok(env)) return;
    // The next slice reuses the staging buffer, so each waits for its transfer.
    if (!cuda_ok(env, cudaMemcpyAsync(target + done, staged, len * sizeof(float),
                                      cudaMemcpyHostToDevice, w->stream),
                 "cudaMemcpyAsync (index)") ||
        !cuda_ok(env, cudaStreamSynchronize(w->stream), "index upload")) {
      return;
    }
  }
}

JNIEXPORT void JNICALL Java_dev_runline_cuda_CudaNative_freeIndex(JNIEnv*, jclass, jlong handle) {
  if (handle == 0) return;
  Index* ix = reinterpret_cast<Index*>(handle);
  if (ix->data != nullptr) {
    cudaSetDevice(ix->device);
    cudaFree(ix->data);
    cudaGetLastError();
  }
  delete ix;
}

JNIEXPORT void JNICALL Java_dev_runline_cuda_CudaNative_search(JNIEnv* env, jclass, jlong worker,
                                                               jlong index, jfloatArray queries,
                                                               jint q, jint d, jint k,
                                                               jintArray out_ids,
                                                               jfloatArray out_scores) {
  search(env, worker, index, queries, q, d, k, out_ids, out_scores);
}

JNIEXPORT void JNICALL Java_dev_runline_cuda_CudaNative_matmul(JNIEnv* env, jclass, jlong worker,
                                                               jfloatArray a, jint m, jint k,
                                                               jfloatArray b, jint n,
                                                               jfloatArray c) {
  matmul(env, worker, a, m, k, b, n, c);
}

}  // extern "C"
