"""Members of a community: roles, statuses, invitations and claiming by email."""
