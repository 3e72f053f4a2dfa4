"""The server of the load tests is the production one, not a debugging setup.

tests/live.py starts gunicorn with config/gunicorn.py and DEBUG off behind a (simulated) TLS
proxy: plain HTTP is sent to HTTPS, an error page tells nothing of the code, and the probes
answer. PostgreSQL only, like the rest of tests/load/.
"""

from __future__ import annotations

import pytest
import requests

from tests import live

pytestmark = [
    pytest.mark.load,
    pytest.mark.skipif(live.skip_reason() is not None, reason=live.skip_reason() or ""),
]


def test_the_server_runs_with_production_settings(web_server, transactional_db):
    plain = requests.get(f"{web_server.url}/api/papers/", allow_redirects=False, timeout=30)
    assert plain.status_code == 301
    assert plain.headers["Location"].startswith("https://")

    session = web_server.session()
    missing = session.get(f"{web_server.url}/no-such-page/", timeout=30)
    assert missing.status_code == 404
    assert "Traceback" not in missing.text and "DEBUG = True" not in missing.text
    assert session.get(f"{web_server.url}/readyz", timeout=30).json()["status"] == "ready"
    assert session.get(f"{web_server.url}/api/papers/", timeout=30).status_code == 200
    # JSON only, even for a browser: no browsable API in production (API_BROWSABLE).
    as_browser = session.get(
        f"{web_server.url}/api/papers/", headers={"Accept": "text/html,*/*;q=0.8"}, timeout=30
    )
    assert as_browser.headers["Content-Type"].startswith("application/json")


def test_a_kept_alive_connection_is_closed_after_its_hundredth_request(web_server):
    """config/gunicorn.py's keepalive_requests: the client connects again, and the kernel may
    give the new connection to another worker."""
    import http.client

    from config import gunicorn as conf

    conn = http.client.HTTPConnection("127.0.0.1", web_server.port, timeout=30)
    try:
        for number in range(1, conf.keepalive_requests + 1):
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            response.read()
            assert response.status == 200
            closing = (response.getheader("Connection") or "").lower() == "close"
            assert closing is (number == conf.keepalive_requests), number
    finally:
        conn.close()
