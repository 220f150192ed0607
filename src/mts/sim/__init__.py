"""The policy lab, and the synthetic organisations it, the demo and the benchmarks run on."""
