"""Communities: the tenants, their onboarding and the edge that resolves them from the URL."""
