"""Mail: the outbox (QueuedEmail rows) and delivery."""
