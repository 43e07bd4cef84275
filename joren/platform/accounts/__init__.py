"""Accounts, sign-in and sessions: one global account per person, across communities."""
