"""An RFC 5545 check of iCalendar bytes, for the tests: what a calendar client relies on.

- lines end with CRLF, no bare CR or LF, and none is longer than 75 octets (folded lines
  continue with a space or a tab);
- every content line reads `name *(;param) : value`, components nest (BEGIN/END);
- VCALENDAR has PRODID and VERSION:2.0 once;
- VEVENT has UID, DTSTAMP (in UTC) and DTSTART once, DTEND after DTSTART and not with
  DURATION, the properties that may appear once at most once, a known STATUS and an integer
  SEQUENCE;
- every TZID used names a VTIMEZONE, which has its TZID and STANDARD or DAYLIGHT parts with
  DTSTART, TZOFFSETFROM and TZOFFSETTO.

Returns the list of problems found (empty when the calendar is valid).
"""

from __future__ import annotations

import re

CONTENT_LINE = re.compile(
    r"""^(?P<name>[A-Za-z0-9-]+)
        (?P<params>(?:;[A-Za-z0-9-]+=(?:"[^"]*"|[^";:,]*)(?:,(?:"[^"]*"|[^";:,]*))*)*)
        :(?P<value>.*)$""",
    re.VERBOSE,
)
EVENT_ONCE = {
    "CLASS", "CREATED", "DESCRIPTION", "DTSTART", "GEO", "LAST-MODIFIED", "LOCATION",
    "ORGANIZER", "PRIORITY", "SEQUENCE", "STATUS", "SUMMARY", "TRANSP", "URL",
    "RECURRENCE-ID", "DTEND", "DURATION", "UID", "DTSTAMP",
}  # fmt: skip
EVENT_REQUIRED = {"UID", "DTSTAMP", "DTSTART"}
EVENT_STATUSES = {"TENTATIVE", "CONFIRMED", "CANCELLED"}
UTC_STAMP = re.compile(r"^\d{8}T\d{6}Z$")
LOCAL_STAMP = re.compile(r"^\d{8}T\d{6}Z?$")


def _unfold(data: bytes, problems: list[str]) -> list[str]:
    if not data.endswith(b"\r\n"):
        problems.append("the last line does not end with CRLF")
    physical = data.split(b"\r\n")[:-1]
    lines: list[str] = []
    for number, raw in enumerate(physical, start=1):
        if b"\n" in raw or b"\r" in raw:
            problems.append(f"line {number}: a bare CR or LF")
        if len(raw) > 75:
            problems.append(f"line {number}: {len(raw)} octets, more than 75")
        text = raw.decode("utf-8")
        if text[:1] in (" ", "\t"):
            if not lines:
                problems.append(f"line {number}: a continuation with nothing to continue")
                continue
            lines[-1] += text[1:]
        else:
            lines.append(text)
    return lines


def rfc5545_problems(data: bytes) -> list[str]:
    problems: list[str] = []
    lines = _unfold(data, problems)
    stack: list[dict] = []
    calendar: dict | None = None
    for line in lines:
        match = CONTENT_LINE.match(line)
        if match is None:
            problems.append(f"not a content line: {line[:60]!r}")
            continue
        name, params, value = match["name"].upper(), match["params"], match["value"]
        if name == "BEGIN":
            component = {"name": value.upper(), "props": [], "children": []}
            if stack:
                stack[-1]["children"].append(component)
            elif value.upper() != "VCALENDAR" or calendar is not None:
                problems.append("the outermost component is not one VCALENDAR")
            stack.append(component)
            calendar = calendar or component
            continue
        if name == "END":
            if not stack or stack[-1]["name"] != value.upper():
                problems.append(f"END:{value} closes nothing open")
            else:
                stack.pop()
            continue
        if not stack:
            problems.append(f"{name} outside any component")
            continue
        stack[-1]["props"].append((name, params, value))
    if stack:
        problems.append(f"{stack[-1]['name']} is never closed")
    if calendar is None:
        return [*problems, "no VCALENDAR"]
    _check_calendar(calendar, problems)
    return problems


def _props(component: dict, name: str) -> list[tuple[str, str, str]]:
    return [p for p in component["props"] if p[0] == name]


def _tzid(params: str) -> str | None:
    match = re.search(r";TZID=(\"[^\"]*\"|[^;:]*)", params)
    return match.group(1).strip('"') if match else None


def _check_calendar(calendar: dict, problems: list[str]) -> None:
    for name in ("PRODID", "VERSION"):
        if len(_props(calendar, name)) != 1:
            problems.append(f"VCALENDAR has {len(_props(calendar, name))} {name}")
    if [v for _, _, v in _props(calendar, "VERSION")] != ["2.0"]:
        problems.append("VERSION is not 2.0")
    zones = {}
    for child in calendar["children"]:
        if child["name"] == "VTIMEZONE":
            ids = [v for _, _, v in _props(child, "TZID")]
            if len(ids) != 1:
                problems.append("a VTIMEZONE without one TZID")
                continue
            zones[ids[0]] = child
            parts = [c for c in child["children"] if c["name"] in ("STANDARD", "DAYLIGHT")]
            if not parts:
                problems.append(f"VTIMEZONE {ids[0]} has neither STANDARD nor DAYLIGHT")
            for part in parts:
                for name in ("DTSTART", "TZOFFSETFROM", "TZOFFSETTO"):
                    if len(_props(part, name)) != 1:
                        problems.append(f"VTIMEZONE {ids[0]}: a part without one {name}")
    events = [c for c in calendar["children"] if c["name"] == "VEVENT"]
    for event in events:
        uid = next((v for _, _, v in _props(event, "UID")), "?")
        names = [p[0] for p in event["props"]]
        for name in EVENT_REQUIRED:
            if name not in names:
                problems.append(f"VEVENT {uid} has no {name}")
        for name in EVENT_ONCE:
            if names.count(name) > 1:
                problems.append(f"VEVENT {uid} has {name} {names.count(name)} times")
        if "DTEND" in names and "DURATION" in names:
            problems.append(f"VEVENT {uid} has both DTEND and DURATION")
        for _, _, value in _props(event, "DTSTAMP"):
            if not UTC_STAMP.match(value):
                problems.append(f"VEVENT {uid}: DTSTAMP {value} is not UTC")
        starts = _props(event, "DTSTART")
        ends = _props(event, "DTEND")
        for _, params, value in starts + ends:
            if not LOCAL_STAMP.match(value):
                problems.append(f"VEVENT {uid}: {value} is not a date-time")
            zone = _tzid(params)
            if zone is not None and zone not in zones:
                problems.append(f"VEVENT {uid}: TZID {zone} has no VTIMEZONE")
            if zone is not None and value.endswith("Z"):
                problems.append(f"VEVENT {uid}: a TZID on a UTC time")
        same_zone = starts and ends and _tzid(starts[0][1]) == _tzid(ends[0][1])
        if same_zone and ends[0][2] <= starts[0][2]:
            problems.append(f"VEVENT {uid}: DTEND is not after DTSTART")
        for _, _, value in _props(event, "STATUS"):
            if value not in EVENT_STATUSES:
                problems.append(f"VEVENT {uid}: STATUS {value}")
        for _, _, value in _props(event, "SEQUENCE"):
            if not value.isdigit():
                problems.append(f"VEVENT {uid}: SEQUENCE {value}")
