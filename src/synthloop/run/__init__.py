"""A run from its config to its outputs: the run config, the run directory, and the jobs
the commands run (check every input, then spend LLM calls, then write)."""
