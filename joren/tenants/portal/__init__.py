"""The member portal and the public community page."""
