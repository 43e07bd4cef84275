"""Background work on RQ: the tenant_job wrapper, thin job functions and the cron schedule."""
