"""Performance benchmarks (not tests): see benchmarks/run.py."""
