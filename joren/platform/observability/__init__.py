"""What operators see: structured logs with request, community, account and job ids
(``logs``), Prometheus metrics (``metrics``), optional error reporting to Sentry (``errors``)
and the instrumented RQ job class (``jobs``)."""
