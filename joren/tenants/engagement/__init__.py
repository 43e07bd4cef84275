"""Engagement: regulars, returning members, one-timers and lapsed regulars, from attendance."""
