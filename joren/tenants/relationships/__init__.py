"""Relationships: the ledger of every pair's contacts, referrals, evening notes and journal."""
