"""Task types: what differs between classification, sentence pairs, extractive QA and
instruction data."""
