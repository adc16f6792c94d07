"""The S3 loop (Synthesis Step by Step)."""
