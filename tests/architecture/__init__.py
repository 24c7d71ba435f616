"""The architecture as tests: which module may import which."""
