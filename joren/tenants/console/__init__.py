"""The organizer console shell: dashboard and community settings."""
