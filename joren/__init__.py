"""Joren (常連): recurring business-networking meetups, their regulars and their introductions."""
