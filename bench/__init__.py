"""Plant-scale benchmarks (see bench/RESULTS.md)."""
