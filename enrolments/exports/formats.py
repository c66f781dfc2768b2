"""Enrolment lists for coordinators: one row generator, one query, two formats.

CSV follows RFC 4180 (comma, CRLF, quotes where needed), starts with a UTF-8 byte order
mark so Excel shows é and ë, and streams. XLSX is written by openpyxl in write-only mode to
a spooled temporary file, so memory stays flat however many rows there are. In both,
cells that a spreadsheet would run as a formula are neutralised (see `neutralise`).
"""

from __future__ import annotations

import csv
import datetime
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from enrolments.models import Attendance, CostOutcome, CostReason, Enrolment, Organisation
from trainings.localised import localised_field
from trainings.models import Country, OrganisationType, SessionDay

# Spreadsheets treat a cell starting with one of these as a formula (OWASP: CSV injection);
# Excel in Japanese or Chinese also takes the full-width forms.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# A delimiter the file does not use still splits a cell when Excel guesses the other one
# (Dutch Excel splits a comma file on semicolons): "a;=6+6" then yields the cell "=6+6".
# A line break does the same when a spreadsheet loses track of the quotes around a cell.
# Spaces and quotes in between do not help: a parser that lost track of quoting drops them.
HIDDEN_FORMULA = re.compile(r"([;,\r\n][ \t\r\n\"]*)(?=[=+\-@\uff1d\uff0b\uff0d\uff20])")
ROWS_PER_CHUNK = 500
FETCH_SIZE = 500  # rows per database fetch: what an export holds in memory at once


class SessionDayList(Aggregate):
    """'dd-mm-jjjj hh:mm–hh:mm; …' for the days of a session, in date order."""

    output_field = CharField()

    def __init__(self):
        super().__init__(F("date"), F("start_time"), F("end_time"))

    def as_postgresql(self, compiler, connection, **extra):
        (date, date_params), (start, start_params), (end, end_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()[:3]
        )
        sql = (
            f"STRING_AGG(TO_CHAR({date}, 'DD-MM-YYYY') || ' ' || TO_CHAR({start}, 'HH24:MI') "
            f"|| '–' || TO_CHAR({end}, 'HH24:MI'), '; ' ORDER BY {date})"
        )
        return sql, (*date_params, *start_params, *end_params, *date_params)

    def as_sqlite(self, compiler, connection, **extra):
        # The (session, date) unique index makes SQLite aggregate the days in date order.
        (date, date_params), (start, start_params), (end, end_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()[:3]
        )
        sql = (
            f"GROUP_CONCAT(STRFTIME('%%d-%%m-%%Y', {date}) || ' ' || STRFTIME('%%H:%%M', {start})"
            f" || '–' || STRFTIME('%%H:%%M', {end}), '; ')"
        )
        return sql, (*date_params, *start_params, *end_params)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int
    kind: str = "text"  # text, date, datetime, number, money


def columns() -> list[Column]:
    return [
        Column("session", _("Sessie"), 12),
        Column("course", _("Training"), 40),
        Column("date", _("Datum"), 12, "date"),
        Column("days", _("Dagen en tijden"), 30),
        Column("place", _("Plaats"), 28),
        Column("status", _("Status"), 14),
        Column("position", _("Wachtlijstplaats"), 10, "number"),
        Column("first_name", _("Voornaam"), 16),
        Column("last_name", _("Achternaam"), 20),
        Column("email", _("E-mailadres"), 30),
        Column("organisation", _("Organisatie"), 30),
        Column("job_title", _("Functie"), 20),
        Column("enrolled_at", _("Ingeschreven op"), 17, "datetime"),
    ]


def export_queryset(enrolments: QuerySet) -> QuerySet:
    """The one query behind every export: plain values, in list order."""
    days = (
        SessionDay.objects.filter(session=OuterRef("session"))
        .order_by()
        .values("session")
        .annotate(text=SessionDayList())
        .values("text")
    )
    return (
        enrolments.with_waitlist_position()
        .annotate(
            days_text=Subquery(days),
            status_order=Case(
                When(status=Enrolment.Status.REGISTERED, then=Value(0)),
                When(status=Enrolment.Status.WAITLISTED, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
        .order_by("session__starts_at", "session_id", "status_order", "created_at", "pk")
        .values_list(
            "session_id",
            "session__code",
            # In the language of whoever exports, Dutch where the course has no translation.
            localised_field("title", "session__course__"),
            "session__starts_at",
            "days_text",
            "session__location__name",
            "session__location__city",
            "session__location__is_online",
            "status",
            "waitlist_position",
            "first_name",
            "last_name",
            "email",
            "organisation",
            "job_title",
            "created_at",
        )
    )


def rows(enrolments: QuerySet) -> Iterator[list]:
    """Export rows with Python values (local dates), streamed from the database."""
    statuses = dict(Enrolment.Status.choices)
    for (
        session_id,
        code,
        course,
        starts_at,
        days,
        venue,
        city,
        online,
        status,
        position,
        first_name,
        last_name,
        email,
        organisation,
        job_title,
        created_at,
    ) in export_queryset(enrolments).iterator(chunk_size=FETCH_SIZE):
        yield [
            code or f"#{session_id}",
            course,
            timezone.localtime(starts_at).date() if starts_at else None,
            days or "",
            _("Online") if online else f"{venue}, {city}",
            str(statuses.get(status, status)),
            position,
            first_name,
            last_name,
            email,
            organisation,
            job_title,
            timezone.localtime(created_at).replace(tzinfo=None, microsecond=0),
        ]


def neutralise(value: str) -> str:
    """Make a text cell harmless whatever delimiter a spreadsheet splits it on.

    A cell that starts with a formula character (also after spaces), or holds a `;`, `,` or
    line break followed by one, gets an apostrophe in front; each such hidden start gets one
    as well, so that the pieces a spreadsheet cuts the cell into are text too.
    """
    hidden = HIDDEN_FORMULA.search(value) is not None
    if hidden:
        value = HIDDEN_FORMULA.sub(r"\1'", value)
    # Some imports trim leading spaces (LibreOffice's "trim spaces") or lose a quote.
    leading = value.lstrip(' \t\r\n"').startswith(FORMULA_PREFIXES)
    return "'" + value if hidden or leading or value.startswith(FORMULA_PREFIXES) else value


# -- CSV ------------------------------------------------------------------------------------


class _Line:
    def write(self, value: str) -> str:
        return value


def csv_value(value, decimal_comma: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = f"{value:.2f}"
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(value, datetime.datetime):
        return value.strftime("%d-%m-%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def csv_stream(
    data: Iterable[list], delimiter: str = ",", cols: list[Column] | None = None
) -> Iterator[str]:
    """RFC 4180 lines, header first, preceded by a byte order mark; a few hundred rows a chunk.
    With the semicolon (Excel in Dutch) amounts get a decimal comma."""
    writer = csv.writer(_Line(), delimiter=delimiter, lineterminator="\r\n")
    yield "\ufeff" + writer.writerow([column.label for column in (cols or columns())])
    decimal_comma = delimiter == ";"
    chunk: list[str] = []
    for row in data:
        chunk.append(writer.writerow([csv_value(value, decimal_comma) for value in row]))
        if len(chunk) >= ROWS_PER_CHUNK:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


# -- XLSX -----------------------------------------------------------------------------------


def sheet_title(title: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip() or _("Inschrijvingen")
    return cleaned[:31]


def print_setup(sheet) -> None:
    """Frozen header row, and on paper: A4 landscape, as wide as the page, the header row on
    every page and page numbers at the foot. A write-only sheet writes these settings before
    its first row, so they are set before the header is appended."""
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    from openpyxl.worksheet.page import PageMargins
    from openpyxl.worksheet.worksheet import Worksheet

    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as the rows need
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.gridLines = True
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.7, footer=0.3)
    sheet.oddFooter.left.text = "&A"  # the sheet's name: the course, or Kosten
    sheet.oddFooter.right.text = "&P / &N"


def xlsx_file(data: Iterable[list], title: str, cols: list[Column] | None = None):
    """A finished workbook in a temporary file (kept in memory while small), at offset 0."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    cols = cols or columns()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title(title))
    for index, column in enumerate(cols, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    print_setup(sheet)
    bold = Font(bold=True)
    header = []
    for column in cols:
        cell = WriteOnlyCell(sheet, value=column.label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)

    def cell_for(value, column: Column):
        if column.kind == "date" and value is not None:
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = "DD-MM-YYYY"
            return cell
        if column.kind == "datetime" and value is not None:
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = "DD-MM-YYYY HH:MM"
            return cell
        if column.kind == "money" and value is not None:
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = "#,##0.00"
            return cell
        if isinstance(value, str):
            # openpyxl turns a string starting with "=" into a formula unless typed as text;
            # the apostrophe keeps it text when someone edits the cell in Excel.
            cell = WriteOnlyCell(sheet, value=neutralise(value))
            cell.data_type = "s"
            return cell
        return value

    last_row = 1
    for row in data:
        sheet.append([cell_for(value, column) for value, column in zip(row, cols, strict=True)])
        last_row += 1
    # The filter covers the header and every row; a write-only sheet writes it at the end.
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{last_row}"
    output = tempfile.SpooledTemporaryFile(max_size=5 * 1024 * 1024)  # noqa: SIM115 (returned)
    workbook.save(output)
    output.seek(0)
    return output


# -- Costs per organisation, for the finance department --------------------------------------


def cost_columns() -> list[Column]:
    return [
        Column("organisation", _("Organisatie"), 30),
        Column("type", _("Soort organisatie"), 18),
        Column("country", _("Land"), 10),
        Column("first_name", _("Voornaam"), 16),
        Column("last_name", _("Achternaam"), 20),
        Column("email", _("E-mailadres"), 30),
        Column("course", _("Training"), 40),
        Column("session", _("Sessie"), 12),
        Column("date", _("Datum"), 12, "date"),
        Column("status", _("Status"), 14),
        Column("present", _("Dagen aanwezig"), 9, "number"),
        Column("days", _("Dagen"), 7, "number"),
        Column("rate", _("Aanwezigheid (%)"), 10, "number"),
        Column("outcome", _("Kosten"), 16),
        Column("amount", _("Bedrag (€)"), 11, "money"),
        Column("reason", _("Reden"), 34),
        Column("open_until", _("Verantwoording mogelijk tot"), 14, "date"),
    ]


def cost_queryset(enrolments: QuerySet) -> QuerySet:
    """One query: each settled enrolment with its organisation's details and attendance."""
    organisation = Organisation.objects.filter(key=OuterRef("organisation_key"))
    present = (
        Attendance.objects.filter(enrolment=OuterRef("pk"), status=Attendance.Status.PRESENT)
        .order_by()
        .values("enrolment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    days = (
        SessionDay.objects.filter(session=OuterRef("session"))
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        enrolments.exclude(cost_outcome="")
        .annotate(
            organisation_name=Coalesce(Subquery(organisation.values("name")[:1]), "organisation"),
            organisation_type=Subquery(organisation.values("type")[:1]),
            organisation_country=Subquery(organisation.values("country")[:1]),
            present_days=Coalesce(Subquery(present), 0),
            session_days=Coalesce(Subquery(days), 0),
        )
        .order_by("organisation_name", "session__starts_at", "session_id", "last_name", "pk")
        .values_list(
            "organisation_name",
            "organisation_type",
            "organisation_country",
            "first_name",
            "last_name",
            "email",
            # In the language of whoever exports, Dutch where the course has no translation.
            localised_field("title", "session__course__"),
            "session__code",
            "session_id",
            "session__starts_at",
            "status",
            "present_days",
            "session_days",
            "cost_outcome",
            "cost_amount",
            "cost_reason",
            "cost_open_until",
        )
    )


def cost_rows(enrolments: QuerySet) -> Iterator[list]:
    statuses = dict(Enrolment.Status.choices)
    types = dict(OrganisationType.choices)
    countries = dict(Country.choices)
    outcomes = dict(CostOutcome.choices)
    reasons = dict(CostReason.choices)
    today = timezone.localdate()
    for (
        organisation,
        org_type,
        country,
        first_name,
        last_name,
        email,
        course,
        code,
        session_id,
        starts_at,
        status,
        present,
        days,
        outcome,
        amount,
        reason,
        open_until,
    ) in cost_queryset(enrolments).iterator(chunk_size=FETCH_SIZE):
        attended = status == Enrolment.Status.REGISTERED and days
        yield [
            organisation,
            str(types.get(org_type, "")) if org_type else "",
            str(countries.get(country, "")) if country else "",
            first_name,
            last_name,
            email,
            course,
            code or f"#{session_id}",
            timezone.localtime(starts_at).date() if starts_at else None,
            str(statuses.get(status, status)),
            present if attended else None,
            days if attended else None,
            round(100 * present / days) if attended else None,
            str(outcomes.get(outcome, outcome)),
            amount,
            str(reasons.get(reason, reason)),
            open_until if open_until and open_until >= today else None,
        ]
