"""Instruction data (Self-Instruct): instruction, optional input, response."""
