"""Outgoing email: an outbox table, rendering, SMTP sending, unsubscribes and captured mail."""
