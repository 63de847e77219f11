"""The load benchmark: `make bench` (README, Performance)."""
