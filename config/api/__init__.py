"""The API's shared kit: one error shape and its handler (errors), the error bodies of the
schema (schema), throttles (throttling), pagination (pagination) and input bodies that refuse
unknown fields (inputs). Every app's API builds on it; it knows nothing of any app."""
