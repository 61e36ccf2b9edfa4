// The kernels of kernels.cu, run on the CPU through emulation/cuda_runtime.h and checked
// against plain loops. It tests their logic where no GPU is at hand; the same checks on a
// real GPU are CudaKernelTest's.
//
// Most inputs are small integers, so that every sum is exact in float whatever the order
// of accumulation: results must then equal the reference bit for bit, and ties (many, by
// construction) must be broken by the smaller id.
//
// Build and run: run-kernels-test.sh beside this file (Maven runs it in the test phase).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "../../main/cuda/kernels.cu"

namespace {

int failures = 0;
int cases = 0;

void fail(const char* what, const char* detail) {
  ++failures;
  fprintf(stderr, "FAILED %s: %s\n", what, detail);
}

std::vector<float> small_integers(size_t count, int lo, int hi, std::mt19937& random) {
  std::uniform_int_distribution<int> pick(lo, hi);
  std::vector<float> values(count);
  for (float& v : values) v = (float)pick(random);
  return values;
}

void check_matmul(int m, int k, int n, std::mt19937& random) {
  ++cases;
  char name[64];
  snprintf(name, sizeof name, "matmul %d x %d x %d", m, k, n);
  std::vector<float> a = small_integers((size_t)m * k, -4, 4, random);
  std::vector<float> b = small_integers((size_t)k * n, -4, 4, random);
  std::vector<float> c((size_t)m * n, NAN);
  if (runline::launch_matmul(a.data(), b.data(), c.data(), m, n, k, nullptr) != cudaSuccess) {
    fail(name, "launch failed");
    return;
  }
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      double sum = 0;
      for (int p = 0; p < k; ++p) sum += (double)a[(size_t)i * k + p] * b[(size_t)p * n + j];
      if (c[(size_t)i * n + j] != (float)sum) {
        char detail[128];
        snprintf(detail, sizeof detail, "c[%d][%d] = %g, expected %g", i, j, c[(size_t)i * n + j],
                 sum);
        fail(name, detail);
        return;
      }
    }
  }
}

void check_matmul_rounding(int m, int k, int n, std::mt19937& random) {
  ++cases;
  char name[64];
  snprintf(name, sizeof name, "matmul %d x %d x %d, random floats", m, k, n);
  std::normal_distribution<float> normal;
  std::vector<float> a((size_t)m * k), b((size_t)k * n), c((size_t)m * n);
  for (float& v : a) v = normal(random);
  for (float& v : b) v = normal(random);
  runline::launch_matmul(a.data(), b.data(), c.data(), m, n, k, nullptr);
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      double sum = 0, magnitude = 0;
      for (int p = 0; p < k; ++p) {
        const double term = (double)a[(size_t)i * k + p] * b[(size_t)p * n + j];
        sum += term;
        magnitude += std::fabs(term);
      }
      if (std::fabs(c[(size_t)i * n + j] - sum) > 1e-5 * (magnitude > 1 ? magnitude : 1)) {
        char detail[128];
        snprintf(detail, sizeof detail, "c[%d][%d] = %.9g, expected %.9g", i, j,
                 c[(size_t)i * n + j], sum);
        fail(name, detail);
        return;
      }
    }
  }
}

struct Hit {
  float score;
  int id;
};

// Higher score first, equal scores by smaller id, NaN after every number.
bool ranks_before(const Hit& x, const Hit& y) {
  const bool x_nan = std::isnan(x.score), y_nan = std::isnan(y.score);
  if (x_nan != y_nan) return y_nan;
  if (!x_nan && x.score != y.score) return x.score > y.score;
  return x.id < y.id;
}

bool same_score(float x, float y) { return x == y || (std::isnan(x) && std::isnan(y)); }

void check_search(const char* label, int q, int n, int d, int k, size_t chunk,
                  const std::vector<float>& queries, const std::vector<float>& rows) {
  ++cases;
  char name[160];
  snprintf(name, sizeof name, "search %s: q=%d n=%d d=%d k=%d chunk=%zu", label, q, n, d, k, chunk);
  const int keep = k < n ? k : n;
  std::vector<float> scores((size_t)q * chunk);
  std::vector<uint64_t> best((size_t)q * keep);
  std::vector<int> ids((size_t)q * keep, -1);
  std::vector<float> top((size_t)q * keep, -1);
  if (runline::launch_search(queries.data(), q, d, rows.data(), n, k, chunk, scores.data(),
                             best.data(), ids.data(), top.data(), nullptr) != cudaSuccess) {
    fail(name, "launch failed");
    return;
  }
  for (int query = 0; query < q; ++query) {
    std::vector<Hit> all(n);
    for (int row = 0; row < n; ++row) {
      double dot = 0;
      for (int j = 0; j < d; ++j) {
        dot += (double)queries[(size_t)query * d + j] * rows[(size_t)row * d + j];
      }
      all[row] = {(float)dot, row};
    }
    std::stable_sort(all.begin(), all.end(), ranks_before);
    for (int i = 0; i < keep; ++i) {
      const int got_id = ids[(size_t)query * keep + i];
      const float got_score = top[(size_t)query * keep + i];
      if (got_id != all[i].id || !same_score(got_score, all[i].score)) {
        char detail[160];
        snprintf(detail, sizeof detail, "query %d, rank %d: got id %d score %g, expected id %d score %g",
                 query, i, got_id, got_score, all[i].id, all[i].score);
        fail(name, detail);
        return;
      }
    }
  }
}

void check_search_integers(int q, int n, int d, int k, size_t chunk, int spread,
                           std::mt19937& random) {
  check_search("small integers", q, n, d, k, chunk,
               small_integers((size_t)q * d, -spread, spread, random),
               small_integers((size_t)n * d, -spread, spread, random));
}

}  // namespace

int main() {
  std::mt19937 random(20240611);

  check_matmul(1, 1, 1, random);
  check_matmul(1, 7, 3, random);
  check_matmul(3, 5, 7, random);
  check_matmul(64, 64, 64, random);
  check_matmul(65, 17, 130, random);
  check_matmul(2, 100, 3, random);
  check_matmul(5, 0, 4, random);
  check_matmul_rounding(33, 70, 45, random);

  // Few distinct scores (ties everywhere) and one chunk or many, with winners carried
  // from chunk to chunk.
  check_search_integers(1, 1, 1, 1, 64, 2, random);
  check_search_integers(1, 5, 1, 10, 64, 2, random);        // k > n
  check_search_integers(7, 300, 1, 4, 64, 2, random);       // D = 1, 5 distinct scores
  check_search_integers(7, 300, 3, 300, 64, 2, random);     // k = n, across 5 chunks
  check_search_integers(3, 257, 17, 33, 128, 3, random);
  check_search_integers(33, 130, 16, 5, 130, 1, random);    // one chunk, not a tile multiple
  check_search_integers(2, 3000, 8, 1024, 1024, 50, random);  // the largest k, 3 chunks
  check_search_integers(1, 1024, 4, 1024, 2048, 3, random); // k = n = the largest k

  // NaN scores rank after every number, among themselves by smaller id.
  {
    std::vector<float> rows = small_integers(40 * 2, -3, 3, random);
    rows[3 * 2] = NAN;
    rows[17 * 2 + 1] = NAN;
    rows[30 * 2] = NAN;
    check_search("NaN rows", 2, 40, 2, 40, 64, small_integers(2 * 2, 1, 3, random), rows);
    check_search("NaN rows, k < n", 2, 40, 2, 38, 64, small_integers(2 * 2, 1, 3, random), rows);
  }

  // Equal scores at the k-th place: the winners must be the smaller ids of the tie.
  {
    std::vector<float> rows(500, 1.0f);
    rows[100] = 2.0f;
    rows[499] = 2.0f;
    check_search("a tie at the cut", 1, 500, 1, 10, 64, {1.0f}, rows);
    check_search("all equal", 3, 500, 1, 7, 192, {1.0f, -1.0f, 0.0f}, std::vector<float>(500, 1.0f));
  }

  printf("kernels emulation: %d of %d cases as expected\n", cases - failures, cases);
  return failures == 0 ? 0 : 1;
}
