"""Meetups and their attendance register."""
