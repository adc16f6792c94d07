"""The core types every layer shares: records, tasks, errors, data in and out, seeds."""
