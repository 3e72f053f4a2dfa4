"""Django's PostgreSQL backend, with a health check that costs no round trip when the
connection is quiet.

With CONN_HEALTH_CHECKS on (config/settings.py), Django asks a kept connection `SELECT 1`
before the first query of every request, so that a connection the server closed (a restart,
pg_terminate_backend, an idle timeout) is opened again instead of failing the request. That
was a round trip on every request that reads the database, about a tenth of a signed-in
page's time (bench/README.md). A server that closes a connection tells the client first (an
error message, then the end of the stream), so a closed connection has bytes waiting on its
socket. This backend looks at the socket without waiting: nothing there and no transaction
open, the connection is usable; anything there (that goodbye, or a notice), it asks
`SELECT 1` as Django does. tests/test_database_health.py cuts a connection under a request.

It also gives a cursor whose statements are prepared (`prepared_cursor`), for the few
statements asked on every request of a hot page.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base, operations
from psycopg import Error
from psycopg.pq import TransactionStatus

# Django's cursor that binds parameters on the server (not in django-stubs).
ServerBindingCursor = base.ServerBindingCursor  # type: ignore[attr-defined]


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        """The statement with its values, from the server-binding cursors of
        `prepared_cursor` too (psycopg keeps theirs with $1 placeholders): the log, the
        debug cursor and the tests that explain captured statements read it whole."""
        if params is None or not isinstance(cursor, ServerBindingCursor):
            return super().last_executed_query(cursor, sql, params)
        try:
            return self.compose_sql(sql, params)
        except Error:
            return None


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.info.transaction_status != TransactionStatus.IDLE:
            return super().is_usable()
        try:
            descriptor = connection.fileno()
        except Error:
            return False
        poller = select.poll()
        poller.register(descriptor, select.POLLIN | select.POLLPRI)
        if poller.poll(0):  # the server said something while the connection was idle
            return super().is_usable()
        return True

    def prepared_cursor(self):
        """A cursor whose statements PostgreSQL plans once per connection, not at each run.

        Django's cursors bind parameters on the client, so psycopg never prepares their
        statements. This one binds them on the server, and psycopg prepares a statement from its
        `prepare_threshold`-th run on the connection (OPTIONS, from DB_PREPARE_THRESHOLD in
        config/settings.py; None: never). It is wrapped as Django wraps its own cursors, so its
        queries are counted, logged and seen by execute wrappers. For a statement written with
        plain %s placeholders (a server-side binding takes no literal % or named parameter).
        """
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            # Django's own way to wrap a cursor (not in django-stubs).
            return self._prepare_cursor(ServerBindingCursor(self.connection))  # type: ignore[attr-defined]
