"""The member of a signed-in request, read in one statement with what every page asks of
them: whether they are a moderator (accounts.roles.MODERATOR_ATTR) and the time zone they
chose (accounts.time_zones.TIME_ZONE_ATTR).

Every request a member makes reads them, by session (accounts.backends) or by API token
(accounts.authentication), before anything else. The same query built by the ORM (the user
annotated with an EXISTS and a subquery) cost 2.3 ms of CPU a request on the bench database
for a statement PostgreSQL runs in 0.07 ms, a fifth of a signed-in feed page's cost; written
out here once, from the models' tables, it costs a tenth of that.
tests/curation/test_signed_in.py holds its answers to the ORM's.

What the statement read is then kept in the process (`_MEMO`) under the member's version
(accounts.member_version), read from the cache first: a member's next requests to that
process ask the cache, not the database, until a service changes what was read (a password,
a role, a time zone, a token: the version moves on and every process reads them again) or
MEMO_SECONDS pass (the bound for a change made without the services, by hand or by
`manage.py changepassword`). A token's expiry is still checked on each request.
"""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.db import connection
from django.db.models import Model
from django.db.models.expressions import Col
from knox.models import AuthToken

from accounts.member_version import member_version
from accounts.models import MemberTimeZone
from accounts.roles import MODERATOR_ATTR, MODERATORS_GROUP
from accounts.time_zones import TIME_ZONE_ATTR

_STATEMENTS: dict[tuple[str, str], str] = {}

# How long a process keeps a member's rows at most, and how many members' rows it keeps.
MEMO_SECONDS = 5.0
MEMO_MAX_ENTRIES = 10_000
# (database vendor, "user" or "token", user id or token key): (kept until, in
# time.monotonic(); the member's version when they were read; the rows, converted).
_MEMO: dict[tuple[str, str, object], tuple[float, int, list[list]]] = {}
# Token key: the id of its member (a key never changes hands), so that the member's version
# can be read before their token is, as it must be for what is read to be kept under it.
_TOKEN_OWNERS: dict[str, int] = {}


def memo_clear() -> None:
    """Forget every kept row (tests: a database emptied between them reuses ids)."""
    _MEMO.clear()
    _TOKEN_OWNERS.clear()


def _memo_get(kind: str, key: object, version: int) -> list[list] | None:
    kept = _MEMO.get((connection.vendor, kind, key))
    if kept is None or kept[1] != version or kept[0] <= time.monotonic():
        return None
    return kept[2]


def _memo_put(kind: str, key: object, version: int, rows: list[list]) -> None:
    if len(_MEMO) >= MEMO_MAX_ENTRIES:
        _MEMO.clear()  # members active within MEMO_SECONDS come back at once
    _MEMO[(connection.vendor, kind, key)] = (time.monotonic() + MEMO_SECONDS, version, rows)


def _user_columns() -> list[str]:
    return [field.attname for field in get_user_model()._meta.concrete_fields]


def _token_columns() -> list[str]:
    return [field.attname for field in AuthToken._meta.concrete_fields]


_CONVERTERS: dict[tuple[str, type[Model]], list[tuple[Col, list]]] = {}


def _converted(model: type[Model], values: tuple | list) -> list:
    """A row's values as the ORM gives them to a model: each column through the database's
    and the field's converters (SQLite's naive datetimes made aware, for one)."""
    key = (connection.vendor, model)
    converters = _CONVERTERS.get(key)
    if converters is None:
        converters = []
        for field in model._meta.concrete_fields:
            column = field.get_col(model._meta.db_table)
            converters.append(
                (
                    column,
                    connection.ops.get_db_converters(column) + column.get_db_converters(connection),
                )
            )
        _CONVERTERS[key] = converters
    row = []
    for value, (column, functions) in zip(values, converters, strict=True):
        for function in functions:
            value = function(value, column, connection)
        row.append(value)
    return row


def _statement(kind: str) -> str:
    """The SELECT of a user (by id) or of the tokens with a key, each row with its user and
    the two flags; built once per process from the models' tables and columns."""
    kept = _STATEMENTS.get((connection.vendor, kind))
    if kept is not None:
        return kept
    q = connection.ops.quote_name
    user_model = get_user_model()
    users = q(user_model._meta.db_table)
    memberships = q(user_model.groups.through._meta.db_table)
    groups = q(Group._meta.db_table)
    zones = q(MemberTimeZone._meta.db_table)
    user_cols = ", ".join(f"u.{q(c)}" for c in _user_columns())
    flags = (
        f"EXISTS (SELECT 1 FROM {memberships} ug JOIN {groups} g ON g.id = ug.group_id "
        "WHERE ug.user_id = u.id AND g.name = %s), "
        f"(SELECT z.time_zone FROM {zones} z WHERE z.user_id = u.id)"
    )
    if kind == "user":
        sql = f"SELECT {user_cols}, {flags} FROM {users} u WHERE u.id = %s"
    else:
        tokens = q(AuthToken._meta.db_table)
        token_cols = ", ".join(f"t.{q(c)}" for c in _token_columns())
        sql = (
            f"SELECT {token_cols}, {user_cols}, {flags} FROM {tokens} t "
            f"JOIN {users} u ON u.id = t.user_id WHERE t.token_key = %s"
        )
    _STATEMENTS[(connection.vendor, kind)] = sql
    return sql


def _user_row(values: tuple | list) -> list:
    """A user's values and the two flags as the statements return them, converted."""
    columns = len(_user_columns())
    return [*_converted(get_user_model(), values[:columns]), *values[columns:]]


def _user_from(row: list) -> User:
    """A fresh user (each request may change its own) from a row of _user_row."""
    columns = _user_columns()
    user = get_user_model().from_db(connection.alias, columns, row[: len(columns)])
    moderator, zone = row[len(columns) :]
    setattr(user, MODERATOR_ATTR, bool(moderator))
    setattr(user, TIME_ZONE_ATTR, zone)
    return user


def user_signed_in(pk: int) -> User | None:
    """The user with id `pk`, with the moderator flag and their time zone set, or None."""
    version = member_version(pk)
    rows = _memo_get("user", pk, version)
    if rows is None:
        with connection.cursor() as cursor:
            cursor.execute(_statement("user"), [MODERATORS_GROUP, pk])
            found = cursor.fetchone()
        if found is None:
            return None
        rows = [_user_row(found)]
        _memo_put("user", pk, version, rows)
    return _user_from(rows[0])


def tokens_with_users(token_key: str) -> list[AuthToken]:
    """The API tokens whose key (a token's first characters) is `token_key`, each with its
    user read in the same statement (`token.user`, with the flags of user_signed_in)."""
    columns = _token_columns()
    owner = _TOKEN_OWNERS.get(token_key)
    version = None if owner is None else member_version(owner)
    rows = None if version is None else _memo_get("token", token_key, version)
    if rows is None:
        with connection.cursor() as cursor:
            cursor.execute(_statement("token"), [MODERATORS_GROUP, token_key])
            read = cursor.fetchall()
        rows = [
            [*_converted(AuthToken, row[: len(columns)]), *_user_row(row[len(columns) :])]
            for row in read
        ]
        owners = {row[columns.index("user_id")] for row in rows}
        if version is not None and owners == {owner}:
            _memo_put("token", token_key, version, rows)
        elif len(owners) == 1:  # kept from the next request on, under the version read first
            if len(_TOKEN_OWNERS) >= MEMO_MAX_ENTRIES:
                _TOKEN_OWNERS.clear()
            _TOKEN_OWNERS[token_key] = owners.pop()
    found = []
    for row in rows:
        token = AuthToken.from_db(connection.alias, columns, row[: len(columns)])
        token.user = _user_from(row[len(columns) :])
        found.append(token)
    return found
