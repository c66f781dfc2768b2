"""Privacy: retention, a person's data export and erasure."""
