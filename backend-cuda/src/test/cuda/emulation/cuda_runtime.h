// A stand-in for <cuda_runtime.h> that runs kernels on the CPU, so that their logic
// (indexing, edges, the top-k selection, the carrying of winners across chunks) is tested
// on machines without a GPU. kernels_test.cpp puts this directory first on the include
// path and compiles kernels.cu with the host compiler.
//
// Each CUDA thread of a block is a fiber (ucontext) on the calling OS thread; blocks run
// one after another. Launches from several OS threads run side by side, each with its own
// fibers (the emulation's state is thread-local), as streams of several workers would. A fiber runs until it reaches a barrier: __syncthreads waits for all
// threads of the block, a warp intrinsic for the 32 threads of its warp, around an
// exchange of their values. That is faithful for intrinsics called by all 32 lanes with
// the full mask, the only way kernels.cu calls them. A barrier that some thread never
// reaches (divergent control flow around __syncthreads) aborts the test with a message,
// where a GPU would hang or misbehave. Device pointers are host pointers.
#ifndef RUNLINE_CUDA_EMULATION_H
#define RUNLINE_CUDA_EMULATION_H

#include <ucontext.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(threads)
#define __restrict__ __restrict
// A block's threads (fibers of one OS thread) share a kernel's thread-local statics;
// blocks of one launch run one at a time, launches of other OS threads have their own.
#define __shared__ static thread_local

struct dim3 {
  unsigned x, y, z;
  constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

enum cudaError_t {
  cudaSuccess = 0,
  cudaErrorInvalidValue = 1,
  cudaErrorMemoryAllocation = 2,
  cudaErrorNoDevice = 100,
  cudaErrorInvalidDevice = 101,
  cudaErrorIllegalAddress = 700,
  cudaErrorLaunchFailure = 719,
  cudaErrorIllegalInstruction = 715,
  cudaErrorMisalignedAddress = 716,
  cudaErrorHardwareStackError = 714,
  cudaErrorAssert = 710,
};
using cudaStream_t = struct CUstream_st*;

struct cudaLaunchConfig_t {
  dim3 gridDim;
  dim3 blockDim;
  size_t dynamicSmemBytes;
  cudaStream_t stream;
};

inline cudaError_t cudaGetLastError() { return cudaSuccess; }

// The runtime API the JNI bridge calls, over host memory: one emulated device of compute
// capability 9.0, streams that complete every operation at once. It lets the whole
// library, JNI included, be built as a host library and driven from Java.
enum cudaMemcpyKind { cudaMemcpyHostToDevice = 1, cudaMemcpyDeviceToHost = 2 };
constexpr unsigned cudaHostAllocDefault = 0;
constexpr unsigned cudaStreamNonBlocking = 1;

struct cudaDeviceProp {
  char name[256];
  int major;
  int minor;
  int multiProcessorCount;
  size_t totalGlobalMem;
};

inline const char* cudaGetErrorName(cudaError_t err) {
  return err == cudaSuccess ? "cudaSuccess" : "cudaErrorEmulated";
}
inline const char* cudaGetErrorString(cudaError_t err) {
  return err == cudaSuccess ? "no error" : "emulated error";
}
inline cudaError_t cudaDriverGetVersion(int* version) {
  *version = 13000;
  return cudaSuccess;
}
inline cudaError_t cudaRuntimeGetVersion(int* version) {
  *version = 13000;
  return cudaSuccess;
}
inline cudaError_t cudaGetDeviceCount(int* count) {
  *count = 1;
  return cudaSuccess;
}
inline cudaError_t cudaSetDevice(int device) {
  return device == 0 ? cudaSuccess : cudaErrorInvalidDevice;
}
inline cudaError_t cudaGetDeviceProperties(cudaDeviceProp* props, int device) {
  if (device != 0) return cudaErrorInvalidDevice;
  std::memset(props, 0, sizeof *props);
  std::strcpy(props->name, "CPU emulation");
  props->major = 9;
  props->minor = 0;
  props->multiProcessorCount = 1;
  props->totalGlobalMem = (size_t)1 << 30;
  return cudaSuccess;
}
template <typename T>
cudaError_t cudaMalloc(T** ptr, size_t bytes) {
  *ptr = static_cast<T*>(std::malloc(bytes));
  return *ptr != nullptr ? cudaSuccess : cudaErrorMemoryAllocation;
}
inline cudaError_t cudaFree(void* ptr) {
  std::free(ptr);
  return cudaSuccess;
}
inline cudaError_t cudaHostAlloc(void** ptr, size_t bytes, unsigned) { return cudaMalloc(ptr, bytes); }
inline cudaError_t cudaFreeHost(void* ptr) { return cudaFree(ptr); }
inline cudaError_t cudaMemcpy(void* to, const void* from, size_t bytes, cudaMemcpyKind) {
  std::memcpy(to, from, bytes);
  return cudaSuccess;
}
inline cudaError_t cudaMemcpyAsync(void* to, const void* from, size_t bytes, cudaMemcpyKind kind,
                                   cudaStream_t) {
  return cudaMemcpy(to, from, bytes, kind);
}
inline cudaError_t cudaMemsetAsync(void* ptr, int value, size_t bytes, cudaStream_t) {
  std::memset(ptr, value, bytes);
  return cudaSuccess;
}
inline cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned) {
  *stream = reinterpret_cast<cudaStream_t>(new char);
  return cudaSuccess;
}
inline cudaError_t cudaStreamDestroy(cudaStream_t stream) {
  delete reinterpret_cast<char*>(stream);
  return cudaSuccess;
}
inline cudaError_t cudaStreamSynchronize(cudaStream_t) { return cudaSuccess; }

inline thread_local dim3 threadIdx;
inline thread_local dim3 blockIdx;

namespace emulation {

constexpr size_t kStackBytes = 64 << 10;

enum class State { kRunnable, kAtBlockBarrier, kAtWarpBarrier, kDone };

struct Fiber {
  ucontext_t context;
  std::unique_ptr<char[]> stack;
  State state = State::kRunnable;
};

struct Block {
  std::vector<Fiber> fibers;
  ucontext_t scheduler;
  unsigned current = 0;
  unsigned at_block_barrier = 0;
  std::vector<unsigned> at_warp_barrier;
  std::vector<uint64_t> exchange;
  std::function<void()> body;
};

inline thread_local Block* block = nullptr;

inline void yield() {
  swapcontext(&block->fibers[block->current].context, &block->scheduler);
}

inline void block_barrier() {
  Block& b = *block;
  if (++b.at_block_barrier == b.fibers.size()) {
    b.at_block_barrier = 0;
    for (Fiber& f : b.fibers) {
      if (f.state == State::kAtBlockBarrier) f.state = State::kRunnable;
    }
    return;
  }
  b.fibers[b.current].state = State::kAtBlockBarrier;
  yield();
}

inline void warp_barrier() {
  Block& b = *block;
  const unsigned warp = b.current / 32;
  const unsigned end = warp * 32 + 32 < b.fibers.size() ? warp * 32 + 32 : (unsigned)b.fibers.size();
  if (++b.at_warp_barrier[warp] == end - warp * 32) {
    b.at_warp_barrier[warp] = 0;
    for (unsigned t = warp * 32; t < end; ++t) {
      if (b.fibers[t].state == State::kAtWarpBarrier) b.fibers[t].state = State::kRunnable;
    }
    return;
  }
  b.fibers[b.current].state = State::kAtWarpBarrier;
  yield();
}

// Every lane publishes `value`, then computes its result from the warp's 32 values.
template <typename Read>
auto warp_exchange(uint64_t value, Read read) {
  const unsigned lane = block->current % 32;
  const unsigned base = block->current - lane;
  block->exchange[block->current] = value;
  warp_barrier();
  auto result = read(&block->exchange[base], lane);
  warp_barrier();
  return result;
}

inline void fiber_main() {
  block->body();
  block->fibers[block->current].state = State::kDone;
}

// Runs `body` as `threads` threads of one block, to completion.
inline void run_block(Block& b, unsigned threads, dim3 index) {
  b.fibers.resize(threads);
  b.at_block_barrier = 0;
  b.at_warp_barrier.assign((threads + 31) / 32, 0);
  b.exchange.assign(threads, 0);
  for (Fiber& f : b.fibers) {
    if (!f.stack) f.stack.reset(new char[kStackBytes]);
    getcontext(&f.context);
    f.context.uc_stack.ss_sp = f.stack.get();
    f.context.uc_stack.ss_size = kStackBytes;
    f.context.uc_link = &b.scheduler;
    makecontext(&f.context, fiber_main, 0);
    f.state = State::kRunnable;
  }
  block = &b;
  unsigned done = 0;
  while (done < threads) {
    bool ran = false;
    done = 0;
    for (unsigned t = 0; t < threads; ++t) {
      if (b.fibers[t].state == State::kRunnable) {
        b.current = t;
        threadIdx = dim3(t);
        blockIdx = index;
        swapcontext(&b.scheduler, &b.fibers[t].context);
        ran = true;
      }
      if (b.fibers[t].state == State::kDone) ++done;
    }
    if (!ran && done < threads) {
      fprintf(stderr, "block (%u, %u): %u of %u threads finished, the rest wait at a barrier "
              "that will never fill\n", index.x, index.y, done, threads);
      abort();
    }
  }
  block = nullptr;
}

}  // namespace emulation

inline void __syncthreads() { emulation::block_barrier(); }

inline unsigned __match_any_sync(unsigned, unsigned value) {
  return emulation::warp_exchange(value, [value](const uint64_t* lanes, unsigned) {
    unsigned peers = 0;
    for (unsigned l = 0; l < 32; ++l) {
      if (lanes[l] == value) peers |= 1u << l;
    }
    return peers;
  });
}

inline unsigned __ballot_sync(unsigned, bool predicate) {
  return emulation::warp_exchange(predicate ? 1 : 0, [](const uint64_t* lanes, unsigned) {
    unsigned votes = 0;
    for (unsigned l = 0; l < 32; ++l) {
      if (lanes[l] != 0) votes |= 1u << l;
    }
    return votes;
  });
}

inline unsigned __shfl_up_sync(unsigned, unsigned value, int delta) {
  return emulation::warp_exchange(value, [value, delta](const uint64_t* lanes, unsigned lane) {
    return lane >= (unsigned)delta ? (unsigned)lanes[lane - delta] : value;
  });
}

inline unsigned __shfl_sync(unsigned, unsigned value, int source) {
  return emulation::warp_exchange(value, [source](const uint64_t* lanes, unsigned) {
    return (unsigned)lanes[source];
  });
}

inline unsigned atomicAdd(unsigned* address, unsigned value) {
  const unsigned old = *address;
  *address = old + value;
  return old;
}

inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline int __ffs(unsigned x) { return __builtin_ffs((int)x); }

inline unsigned __float_as_uint(float f) {
  unsigned u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

inline float __uint_as_float(unsigned u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

template <typename... Params, typename... Args>
cudaError_t cudaLaunchKernelEx(const cudaLaunchConfig_t* config, void (*kernel)(Params...),
                               Args... args) {
  const dim3 grid = config->gridDim;
  const unsigned threads = config->blockDim.x;
  if (threads == 0 || threads > 1024 || grid.x == 0 || grid.y == 0 || grid.y > 65535) {
    return cudaErrorInvalidValue;
  }
  emulation::Block block;
  block.body = [&] { kernel(Params(args)...); };
  for (unsigned by = 0; by < grid.y; ++by) {
    for (unsigned bx = 0; bx < grid.x; ++bx) emulation::run_block(block, threads, dim3(bx, by));
  }
  return cudaSuccess;
}

#endif  // RUNLINE_CUDA_EMULATION_H
