"""The cost overview: per organisation and period, who attended what and what is charged.

An admin page for coordinators and advisers (permission to export enrolments), with the same
rows as a CSV or XLSX file for the finance department. Nothing is paid through the site.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from itertools import groupby, islice

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enrolments.exports.formats import cost_columns, cost_rows, csv_stream, xlsx_file
from enrolments.exports.views import XLSX_TYPE, can_export
from enrolments.models import CostOutcome, Enrolment, Organisation

SHOWN_ROWS = 1000  # on the page; the files hold every row
# Periods are asked for within these years; outside them the date arithmetic (a day after the
# end, a time zone before year 1) would overflow.
FIRST_DATE = datetime.date(2000, 1, 1)
LAST_DATE = datetime.date(2100, 12, 31)


class CostFilterForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisatie"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label=_("Alle organisaties"),
    )
    start = forms.DateField(
        label=_("Sessies vanaf"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=_("tot en met"), widget=forms.DateInput(attrs={"type": "date"}))
    outcome = forms.ChoiceField(
        label=_("Kosten"),
        choices=[("", _("Alle uitkomsten")), *CostOutcome.choices],
        required=False,
    )

    def _within_range(self, name: str) -> datetime.date:
        value = self.cleaned_data[name]
        if not FIRST_DATE <= value <= LAST_DATE:
            raise forms.ValidationError(
                _("Kies een datum tussen %(first)s en %(last)s.")
                % {"first": f"{FIRST_DATE:%d-%m-%Y}", "last": f"{LAST_DATE:%d-%m-%Y}"}
            )
        return value

    def clean_start(self):
        return self._within_range("start")

    def clean_end(self):
        return self._within_range("end")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("De einddatum ligt voor de begindatum."))
        return cleaned


def default_period(today: datetime.date) -> dict:
    """The quarter so far: what finance usually asks for."""
    first_month = 3 * ((today.month - 1) // 3) + 1
    return {"start": today.replace(month=first_month, day=1), "end": today}


def filtered(data: dict):
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(data["start"], datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(
        data["end"] + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    enrolments = Enrolment.objects.filter(session__starts_at__gte=start, session__starts_at__lt=end)
    if data.get("organisation"):
        enrolments = enrolments.filter(organisation_key=data["organisation"].key)
    if data.get("outcome"):
        enrolments = enrolments.filter(cost_outcome=data["outcome"])
    return enrolments


def cost_file(request: HttpRequest, data: dict, fmt: str) -> HttpResponse:
    name = data["organisation"].name if data.get("organisation") else "alle-organisaties"
    slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
    filename = f"kosten-{slug}-{data['start']:%Y-%m-%d}-{data['end']:%Y-%m-%d}.{fmt}"
    rows = cost_rows(filtered(data))
    if fmt == "csv":
        delimiter = ";" if request.GET.get("delimiter") == "semicolon" else ","
        response = StreamingHttpResponse(
            csv_stream(rows, delimiter=delimiter, cols=cost_columns()),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return FileResponse(
        xlsx_file(rows, str(_("Kosten")), cols=cost_columns()),
        as_attachment=True,
        filename=filename,
        content_type=XLSX_TYPE,
    )


def cost_overview(request: HttpRequest) -> HttpResponse:
    if not can_export(request.user):
        raise PermissionDenied
    params = request.GET.copy()
    fmt = params.pop("format", [""])[0]
    if "start" not in params and "end" not in params:
        for key, value in default_period(timezone.localdate()).items():
            params[key] = value.isoformat()
    form = CostFilterForm(params)
    context = {
        **admin.site.each_context(request),
        "title": _("Kosten per organisatie"),
        "form": form,
    }
    status = 200
    if form.is_valid():
        if fmt in {"csv", "xlsx"}:
            return cost_file(request, form.cleaned_data, fmt)
        columns = [column.key for column in cost_columns()]
        rows = [
            dict(zip(columns, row, strict=True))
            for row in islice(cost_rows(filtered(form.cleaned_data)), SHOWN_ROWS + 1)
        ]
        groups = []
        for organisation, items in groupby(rows[:SHOWN_ROWS], key=lambda row: row["organisation"]):
            items = list(items)
            attended = [row for row in items if row["days"]]
            groups.append(
                {
                    "organisation": organisation,
                    "type": items[0]["type"],
                    "country": items[0]["country"],
                    "rows": items,
                    "total": sum((row["amount"] or Decimal("0")) for row in items),
                    "rate": (
                        round(
                            100
                            * sum(row["present"] for row in attended)
                            / sum(row["days"] for row in attended)
                        )
                        if attended
                        else None
                    ),
                }
            )
        query = params.urlencode()
        context.update(
            groups=groups,
            truncated=len(rows) > SHOWN_ROWS,
            shown=SHOWN_ROWS,
            total=sum(group["total"] for group in groups),
            csv_url=f"?{query}&format=csv",
            xlsx_url=f"?{query}&format=xlsx",
            pending=sum(1 for row in rows if row["outcome"] == str(CostOutcome.PENDING.label)),
        )
    else:
        status = 400
    return TemplateResponse(request, "admin/enrolments/cost_overview.html", context, status=status)
