"""Reads an iCalendar file on stdin with independent parsers (icalendar, and
recurring-ical-events to expand it the way calendar apps do) and prints every occurrence as
JSON: its UID, start and end as UTC instants (ISO 8601), STATUS and SEQUENCE. Exits non-zero
if the file does not parse or an occurrence has no time zone (a floating time would move with
the reader's zone)."""

import datetime
import json
import sys

import icalendar
import recurring_ical_events

calendar = icalendar.Calendar.from_ical(sys.stdin.read())
everything = recurring_ical_events.of(calendar).between(
    datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc),
    datetime.datetime(2200, 1, 1, tzinfo=datetime.timezone.utc),
)


def instant(value):
    if not isinstance(value, datetime.datetime) or value.tzinfo is None:
        sys.exit(f"not an instant with a time zone: {value!r}")
    return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


print(json.dumps([
    {
        "uid": str(event["UID"]),
        "start": instant(event["DTSTART"].dt),
        "end": instant(event["DTEND"].dt),
        "status": str(event.get("STATUS", "")),
        "sequence": int(event.get("SEQUENCE", 0)),
    }
    for event in sorted(everything, key=lambda e: e["DTSTART"].dt)
]))
