"""One small interface per integration: `send(outgoing) -> answer`, raising Retryable or Permanent."""
