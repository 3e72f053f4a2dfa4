"""The API's shared kit: one error shape and its handler (errors), the error bodies of the
schema (schema), throttles (throttling) and pagination (pagination). Every app's API builds on
it; it knows nothing of any app."""
