"""The 学时 (training hour) rules, free of I/O: what an attendance earns, and what the ledger must post."""
