"""A mail's context as JSON: rows become references, dates and times ISO text. What the mail
must tell as it was when it was queued is kept by value: the calendar days (their SEQUENCE
must not move on before the mail is sent) and the enrolment (a place handed over to a
colleague changes the same row). unpack() gives back what pack() was given, referenced rows
read fresh from the database."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models

from trainings.models import SessionDay

# Rows kept by value (their concrete fields), not read back.
BY_VALUE = {"enrolments.enrolment"}


def _day(day: SessionDay) -> dict:
    return {
        "id": day.pk,
        "session": day.session_id,
        "date": day.date.isoformat(),
        "start_time": day.start_time.isoformat(),
        "end_time": day.end_time.isoformat(),
        "calendar_sequence": day.calendar_sequence,
        "calendar_changed_at": day.calendar_changed_at.isoformat(),
    }


def pack(value: Any) -> Any:
    if isinstance(value, SessionDay):
        return {"__day__": _day(value)}
    if isinstance(value, models.Model) and value._meta.label_lower in BY_VALUE:
        fields = {f.attname: pack(getattr(value, f.attname)) for f in value._meta.concrete_fields}
        return {"__value__": value._meta.label_lower, "fields": fields}
    if isinstance(value, models.Model):
        return {"__row__": value._meta.label_lower, "pk": value.pk}
    if isinstance(value, Decimal):
        return {"__decimal__": str(value)}
    if isinstance(value, dict):
        return {str(key): pack(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [pack(item) for item in value]
    if isinstance(value, datetime.datetime):
        return {"__datetime__": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"__date__": value.isoformat()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # lazy translations and the like: their text now


def unpack(value: Any, rows: dict[tuple[str, int], models.Model]) -> Any:
    """`rows` maps (label, pk) to the rows read for this mail (see references())."""
    if isinstance(value, list):
        return [unpack(item, rows) for item in value]
    if not isinstance(value, dict):
        return value
    if "__day__" in value:
        data = value["__day__"]
        return SessionDay(
            pk=data["id"],
            session_id=data["session"],
            date=datetime.date.fromisoformat(data["date"]),
            start_time=datetime.time.fromisoformat(data["start_time"]),
            end_time=datetime.time.fromisoformat(data["end_time"]),
            calendar_sequence=data["calendar_sequence"],
            calendar_changed_at=datetime.datetime.fromisoformat(data["calendar_changed_at"]),
        )
    if "__row__" in value:
        return rows[(value["__row__"], value["pk"])]
    if "__value__" in value:
        cls = model(value["__value__"])
        fields = unpack(value["fields"], rows)
        return cls(**{f.attname: f.to_python(fields[f.attname]) for f in cls._meta.concrete_fields})
    if "__decimal__" in value:
        return Decimal(value["__decimal__"])
    if "__datetime__" in value:
        return datetime.datetime.fromisoformat(value["__datetime__"])
    if "__date__" in value:
        return datetime.date.fromisoformat(value["__date__"])
    return {key: unpack(item, rows) for key, item in value.items()}


def references(value: Any, found: set[tuple[str, int]] | None = None) -> set[tuple[str, int]]:
    """Every (label, pk) the packed context refers to."""
    found = set() if found is None else found
    if isinstance(value, list):
        for item in value:
            references(item, found)
    elif isinstance(value, dict):
        if "__row__" in value:
            found.add((value["__row__"], value["pk"]))
        elif "__value__" not in value:
            for item in value.values():
                references(item, found)
    return found


def model(label: str) -> type[models.Model]:
    return apps.get_model(label)
