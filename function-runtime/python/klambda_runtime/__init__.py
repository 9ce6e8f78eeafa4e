"""Knative Lambda Python function runtime: serves one user function over HTTP.

Binary and structured CloudEvents and plain JSON on POST /, health on /health/live and /health/ready, Prometheus
metrics on /metrics. Standard library only, Python 3.9+. The contract is in function-runtime/README.md.

Run it as `python3 -u path/to/klambda_runtime` (the image's entry point) or `python3 -u -m klambda_runtime`.
Modules, by concern:

- config:      the settings, from FUNCTION_* environment variables
- errors:      ConfigError, HttpError
- telemetry:   JSON log lines (batched), Prometheus metrics, timestamps
- cloudevents: decoding requests (binary, structured, plain) and encoding response events
- framing:     HTTP/1.1 on a byte stream: request head, Content-Length and chunked bodies, answers
- function:    finding the user's file and loading its handler
- invocation:  the runtime's state (slots, timeouts, watchdog) and the endpoints (POST /, GET health and metrics)
- worker:      FUNCTION_EXECUTION=worker, a thread per connection
- eventloop:   FUNCTION_EXECUTION=event-loop, every connection on one selectors loop
- fastpath:    the loop's ordinary requests parsed from its buffer, and the usual POST / answered in one function
- app:         serve() and main(): start, load, serve, drain

Cold start: http.server (with email, http.client, ssl) and urllib.parse are not imported: importing them took ~75 ms
of a ~120 ms start. HTTP/1.1 is parsed by framing, percent-decoding is cloudevents.unquote.
"""
