"""The API's test clients."""

from __future__ import annotations

from rest_framework.test import APIClient


def client_for(user=None) -> APIClient:
    """An API client authenticated as `user` (anonymous for None)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client
