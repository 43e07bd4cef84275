"""Platform administration across communities."""
