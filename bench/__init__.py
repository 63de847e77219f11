"""The load benchmark: `make bench` (docs/performance.md)."""
