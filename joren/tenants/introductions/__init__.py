"""Introductions: the matching engine, cycles, the organizer's review queue and double opt-in."""
