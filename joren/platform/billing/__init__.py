"""Joren's own subscription: plans and their limits, Stripe Checkout and the customer portal,
and the Stripe webhook that keeps each community's plan in sync."""
