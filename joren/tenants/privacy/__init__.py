"""A person's data rights (issue 17): what Joren holds about them, as one archive."""
