"""Members paying the organizer through Stripe Connect: billing on, against the local fake."""

from tests.platform.billing.conftest import billing_on, deliver, fake_stripe  # noqa: F401
