#!/usr/bin/env python3
"""The PyTorch reference for VectorSearchBenchmark and the matmul kernel, on a GPU host.

Computes the shapes the benchmark sends through the engine the way a PyTorch user would:
an index of 100,000 x 64 float32 vectors normalised once and resident on the device; for a
batch of B queries, copy them to the device, normalise, one torch.matmul against the index,
torch.topk(k=10), and copy ids and scores back to the host. Each batch is timed from host
data to host results (the engine's jobs are too), after a warm-up, as the median of many
repetitions. Also times torch.matmul of square float32 matrices (the matmul kernel's shape),
host to host, beside the device-only product.

Usage (python3 with torch and a CUDA device):
    python3 benchmarks/torch-reference.py [--json FILE]
Prints a table; --json writes the figures (queries per second per batch size, matmul ms).
"""
import argparse
import json
import statistics
import time

import torch

N, D, K = 100_000, 64, 10
BATCHES = (1, 16, 256, 1024)
MATMUL_SIZES = (256, 512, 1024)


def median_seconds(fn, repeat, warmup=20):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # ends with a copy to the host, which synchronises
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--json")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        raise SystemExit("torch-reference: no CUDA device visible to torch")
    device = torch.device("cuda")
    torch.backends.cuda.matmul.allow_tf32 = False  # float32 products, as the engine's kernel
    generator = torch.Generator().manual_seed(42)
    index = torch.randn(N, D, generator=generator).to(device)
    index = torch.nn.functional.normalize(index, dim=1)

    results = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__,
               "n": N, "d": D, "k": K, "search": {}, "matmul": {}}
    print(f"device {results['device']}, torch {results['torch']}, index {N} x {D}, k = {K}")
    print(f"{'batch':>6} {'median ms':>10} {'queries/s':>12}")
    for batch in BATCHES:
        queries = torch.rand(batch, D, generator=generator) * 2 - 1  # host, as parsed from JSON

        def search():
            q = torch.nn.functional.normalize(queries.to(device, non_blocking=False), dim=1)
            scores, ids = torch.topk(q @ index.T, K, dim=1)
            return ids.cpu(), scores.cpu()

        repeat = 2000 if batch <= 16 else 300
        seconds = median_seconds(search, repeat)
        results["search"][batch] = {"median_ms": seconds * 1e3, "queries_per_s": batch / seconds}
        print(f"{batch:>6} {seconds * 1e3:>10.3f} {batch / seconds:>12,.0f}")

    print(f"{'matmul':>6} {'host ms':>10} {'device ms':>12}")
    for size in MATMUL_SIZES:
        a = torch.rand(size, size, generator=generator)
        b = torch.rand(size, size, generator=generator)
        da, db = a.to(device), b.to(device)

        def host_to_host():
            return (a.to(device) @ b.to(device)).cpu()

        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)

        def device_only():
            start.record()
            da @ db
            end.record()
            end.synchronize()
            return start.elapsed_time(end)

        host = median_seconds(host_to_host, 200)
        for _ in range(20):
            device_only()
        on_device = statistics.median(device_only() for _ in range(200))
        results["matmul"][size] = {"host_ms": host * 1e3, "device_ms": on_device}
        print(f"{size:>6} {host * 1e3:>10.3f} {on_device:>12.3f}")

    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
