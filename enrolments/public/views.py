"""Public enrolment pages. Every rule lives in services.py; these views only translate."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from enrolments.models import Enrolment, EnrolmentGroup
from enrolments.places.groups import (
    GroupRequestExpired,
    GroupTooLarge,
    group_enrolment_confirm,
    group_enrolment_create,
    group_row_limit,
)
from enrolments.places.interest import interest_register, session_request_create
from enrolments.places.services import (
    EnrolmentError,
    Outcome,
    Person,
    ReservedSession,
    enrolment_cancel,
    enrolment_create,
)
from enrolments.places.substitution import enrolment_substitute, substitution_refusal
from enrolments.places.tokens import (
    ExpiredLink,
    InvalidLink,
    Receipt,
    enrolment_from_token,
    group_from_token,
    receipt_from_session,
    store_receipt,
)
from enrolments.public.forms import (
    CancelForm,
    EnrolmentForm,
    GroupEnrolmentForm,
    InterestForm,
    SessionRequestForm,
    SubstituteForm,
    colleague_formset,
)
from enrolments.settlement.costs import CourseTerms
from trainings.models import Course, Session
from trainings.precompiled import Precompiled


def public_session(session_id: int) -> Session:
    return get_object_or_404(Session.objects.public().for_listing(), pk=session_id)


RECEIPT_KEY = "enrolment-receipt"


def receipt_redirect(
    request: HttpRequest, session: Session, outcome: Outcome, first_name: str
) -> HttpResponse:
    """To the result page. The outcome waits in the visitor's own (server-side) session, so
    no name or status travels in the address, which proxies and access logs keep."""
    request.session[RECEIPT_KEY] = store_receipt(
        Receipt(session.pk, outcome.status, outcome.position, first_name)
    )
    return redirect("enrolments:enrolled", session_id=session.pk)


def show_refusal(form, error: EnrolmentError) -> int:
    """Put a refused enrolment on the form, where the person can act on it; the page's
    status: 403 for a session reserved for another organisation, 400 for a form with too
    many colleagues, 409 for anything the state of the session refuses."""
    if isinstance(error, ReservedSession):
        form.add_error("organisation", error.message)
        return 403
    form.add_error(None, error.message)
    return 400 if isinstance(error, GroupTooLarge) else 409


# What an enrolment POST reads of its session before it locks it, compiled to SQL once.
SESSION_TO_ENROL = Precompiled(
    lambda pk: Session.objects.public().only("pk", "reserved_for").filter(pk=pk).order_by()
)


@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest, session_id: int) -> HttpResponse:
    if request.method == "POST":
        # Enough to validate and enrol (the form asks for an invitation code only for a
        # reserved session); the page is only drawn again when something is wrong.
        session = SESSION_TO_ENROL.first(pk=session_id)
        if session is None:
            raise Http404
    else:
        session = public_session(session_id)
    form = EnrolmentForm(request.POST or None, session=session)
    status = 200
    if request.method == "POST":
        if form.is_bot:
            # Look like success to the bot; store and send nothing.
            return receipt_redirect(request, session, Outcome(Enrolment.Status.REGISTERED), "")
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = enrolment_create(
                    session_id=session.pk,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    organisation=data["organisation"],
                    job_title=data["job_title"],
                    invitation_code=data.get("invitation_code", ""),
                    language=request.LANGUAGE_CODE,
                )
            except EnrolmentError as error:
                status = show_refusal(form, error)
            else:
                # The same page whether or not the address was enrolled already (rule 6).
                return receipt_redirect(request, session, result.outcome, data["first_name"])
        else:
            status = 400
    if request.method == "POST":
        session = form.session = public_session(session_id)  # with places and days
    return render(
        request,
        "enrolments/enrol.html",
        {"session": session, "form": form, "terms": CourseTerms.of_course(session.course)},
        status=status,
    )


GROUP_RESULT_KEY = "group-enrolment-result"


def _changed_rows(data, action: str, max_rows: int):
    """The posted rows with one added or one removed, for drawing the form again."""
    prefix = "form"
    try:
        total = max(0, min(int(data.get(f"{prefix}-TOTAL_FORMS") or 0), max_rows))
    except ValueError:
        total = 0
    fields = ("first_name", "last_name", "email", "job_title")
    rows = [{f: data.get(f"{prefix}-{i}-{f}", "") for f in fields} for i in range(total)]
    if action == "add" and len(rows) < max_rows:
        rows.append(dict.fromkeys(fields, ""))
    elif action.startswith("remove-"):
        index = action.removeprefix("remove-")
        # Only a row that is there; any other number (or none) leaves the rows as they are.
        if index.isascii() and index.isdigit() and int(index) < len(rows):
            rows.pop(int(index))
        if not rows:
            rows.append(dict.fromkeys(fields, ""))
    changed = data.copy()
    for key in [k for k in changed if k.startswith(f"{prefix}-")]:
        del changed[key]
    changed[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
    changed[f"{prefix}-INITIAL_FORMS"] = "0"
    for i, row in enumerate(rows):
        for f, value in row.items():
            changed[f"{prefix}-{i}-{f}"] = value
    return changed


@require_http_methods(["GET", "POST"])
def group_enrol(request: HttpRequest, session_id: int) -> HttpResponse:
    """Several colleagues of one organisation at once. Without JavaScript the buttons to add
    and remove a row post the form, which comes back with the change and nothing lost.

    Sending the form places nobody: the sender first confirms their own address with the
    link we mail them (group_enrolment_create / group_enrolment_confirm)."""
    session = public_session(session_id)
    max_rows = group_row_limit(session)
    action = request.POST.get("action", "enrol") if request.method == "POST" else ""
    data = request.POST if request.method == "POST" else None
    show_errors = action == "enrol"
    if data is not None and action != "enrol":
        data = _changed_rows(request.POST, action, max_rows)
    form = GroupEnrolmentForm(data, session=session)
    formset = colleague_formset(data, max_rows=max_rows)
    status = 200
    if request.method == "POST" and show_errors:
        if form.is_bot:  # looks like success; nothing is stored or sent
            request.session[GROUP_RESULT_KEY] = {"session": session.pk}
            return redirect("enrolments:group-enrolled", session_id=session.pk)
        form_ok, rows_ok = form.is_valid(), formset.is_valid()
        if form_ok and rows_ok:
            data = form.cleaned_data
            try:
                group_enrolment_create(
                    session_id=session.pk,
                    organisation=data["organisation"],
                    people=[
                        Person(row["first_name"], row["last_name"], row["email"], row["job_title"])
                        for row in formset.people
                    ],
                    submitted_by_name=data["submitted_by_name"],
                    submitted_by_email=data["submitted_by_email"],
                    invitation_code=data.get("invitation_code", ""),
                    language=request.LANGUAGE_CODE,
                )
            except EnrolmentError as error:
                status = show_refusal(form, error)
            else:
                # Only that this visitor sent a form for this session: no names, no outcomes.
                request.session[GROUP_RESULT_KEY] = {"session": session.pk}
                return redirect("enrolments:group-enrolled", session_id=session.pk)
        else:
            status = 400
    if status != 200:
        session = form.session = public_session(session_id)
    return render(
        request,
        "enrolments/group_enrol.html",
        {
            "session": session,
            "terms": CourseTerms.of_course(session.course),
            "form": form,
            "formset": formset,
            "show_errors": show_errors,
            "hide_errors": not show_errors,
            "can_add": formset.total_form_count() < max_rows,
            "max_rows": max_rows,
        },
        status=status,
    )


@require_safe
def group_enrolled(request: HttpRequest, session_id: int) -> HttpResponse:
    """After sending the group form: check your mailbox. The same page for every form."""
    session = public_session(session_id)
    result = request.session.get(GROUP_RESULT_KEY)
    if not result or result.get("session") != session.pk:
        return render(request, "enrolments/receipt_expired.html", {"session": session}, status=400)
    return render(
        request,
        "enrolments/group_enrolled.html",
        {"session": session, "hours": settings.GROUP_CONFIRMATION_HOURS},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def group_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the sender's mail. Opening it changes nothing (mail scanners open links);
    the button on the page confirms. What it shows never depends on who else is enrolled."""
    try:
        group = group_from_token(token)
    except InvalidLink:
        return render(request, "enrolments/link_invalid.html", status=400)
    except ExpiredLink:
        return render(request, "enrolments/group_expired.html", status=410)
    if group.confirmed_at is None and group.expires_at <= timezone.now():
        return render(request, "enrolments/group_expired.html", status=410)
    error, status = None, 200
    if request.method == "POST":
        try:
            group_enrolment_confirm(group_id=group.pk)
        except (EnrolmentGroup.DoesNotExist, GroupRequestExpired):
            return render(request, "enrolments/group_expired.html", status=410)
        except EnrolmentError as problem:
            error, status = problem.message, 409
        else:
            return redirect(request.path)
    session = Session.objects.for_listing().get(pk=group.session_id)
    return render(
        request,
        "enrolments/group_confirm.html",
        {"group": group, "session": session, "error": error},
        status=status,
    )


@require_safe
@never_cache
def enrolled(request: HttpRequest, session_id: int) -> HttpResponse:
    session = public_session(session_id)
    receipt = receipt_from_session(request.session.get(RECEIPT_KEY))
    if receipt is None or receipt.session_id != session.pk:
        return render(request, "enrolments/receipt_expired.html", {"session": session}, status=400)
    return render(request, "enrolments/enrolled.html", {"session": session, "receipt": receipt})


@require_http_methods(["GET", "POST"])
@never_cache  # personal data and a capability: no browser or proxy may keep a copy
def self_service(request: HttpRequest, token: str) -> HttpResponse:
    try:
        enrolment = enrolment_from_token(token)
    except InvalidLink:
        return render(request, "enrolments/link_invalid.html", status=400)
    except ExpiredLink:
        return render(request, "enrolments/link_expired.html", status=410)
    substituting = request.method == "POST" and request.POST.get("action") == "substitute"
    form = CancelForm(request.POST if request.method == "POST" and not substituting else None)
    substitute_form = SubstituteForm(request.POST if substituting else None, prefix="sub")
    status = 200
    if substituting:
        if substitute_form.is_valid():
            data = substitute_form.cleaned_data
            try:
                enrolment_substitute(
                    enrolment_id=enrolment.pk,
                    person=Person(
                        data["first_name"], data["last_name"], data["email"], data["job_title"]
                    ),
                    language=request.LANGUAGE_CODE,
                    self_service=True,
                )
            except EnrolmentError as error:
                substitute_form.add_error(None, error.message)
                status = 409
            else:
                # The link in the address bar no longer opens anything: show a page that
                # says what happened instead of redirecting back to it.
                session = Session.objects.for_listing().get(pk=enrolment.session_id)
                return render(
                    request,
                    "enrolments/substituted.html",
                    {"session": session, "successor": f"{data['first_name']} {data['last_name']}"},
                )
        else:
            status = 400
    elif request.method == "POST":
        if form.is_valid():
            try:
                enrolment_cancel(
                    enrolment_id=enrolment.pk,
                    reason=form.cleaned_data["reason"],
                    self_service=True,
                )
            except EnrolmentError as error:
                form.add_error(None, error.message)
                status = 409
            else:
                messages.success(
                    request,
                    _("Je inschrijving is geannuleerd. We hebben je een bevestiging gemaild."),
                )
                return redirect(request.path)
        else:
            status = 400
    session = (
        Session.objects.for_listing()
        .select_related("course__contact_provider", "organiser")
        .get(pk=enrolment.session_id)
    )
    free_until = session.free_cancellation_until
    price = CourseTerms.of_course(session.course).participant_price
    return render(
        request,
        "enrolments/self_service.html",
        {
            "enrolment": enrolment,
            "session": session,
            "position": enrolment.get_waitlist_position(),
            "form": form,
            "substitute_form": substitute_form,
            "free_until": free_until,
            "late": enrolment.is_registered and session.is_late_cancellation(timezone.now()),
            # The page offers cancelling and handing over while a hand-over is possible.
            "may_hand_over": substitution_refusal(enrolment, session) is None,
            "price": price,
        },
        status=status,
    )


def published_course(slug: str) -> Course:
    return get_object_or_404(Course.objects.published(), slug=slug)


def _course_form_page(request, course, form, *, template, thanks, save) -> HttpResponse:
    """A form about a course that ends on a thank-you page. A bot (the honeypot) gets
    that page too, with nothing stored or sent; an invalid form answers 400."""
    status = 200
    if request.method == "POST":
        if form.is_bot:
            return redirect(thanks, slug=course.slug)
        if form.is_valid():
            save(form.cleaned_data)
            return redirect(thanks, slug=course.slug)
        status = 400
    return render(request, template, {"course": course, "form": form}, status=status)


def _course_thanks_page(request, slug: str, template: str) -> HttpResponse:
    return render(request, template, {"course": published_course(slug)})


@require_http_methods(["GET", "POST"])
def interest(request: HttpRequest, slug: str) -> HttpResponse:
    course = published_course(slug)
    if course.runs_elsewhere:
        # Never scheduled here: nobody would ever be told about a session.
        return redirect(course)
    return _course_form_page(
        request,
        course,
        InterestForm(request.POST or None),
        template="enrolments/interest.html",
        thanks="enrolments:interest-thanks",
        save=lambda data: interest_register(
            course=course,
            email=data["email"],
            organisation=data["organisation"],
            city=data["city"],
            language=request.LANGUAGE_CODE,
        ),
    )


@require_safe
def interest_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    return _course_thanks_page(request, slug, "enrolments/interest_thanks.html")


@require_http_methods(["GET", "POST"])
def session_request(request: HttpRequest, slug: str) -> HttpResponse:
    course = published_course(slug)
    return _course_form_page(
        request,
        course,
        SessionRequestForm(request.POST or None, course=course),
        template="enrolments/session_request.html",
        thanks="enrolments:request-thanks",
        save=lambda data: session_request_create(
            course=course,
            organisation=data["organisation"],
            contact_name=data["contact_name"],
            email=data["email"],
            phone=data["phone"],
            participants=data["participants"],
            preferred_period=data["preferred_period"],
            message=data["message"],
            language=request.LANGUAGE_CODE,
        ),
    )


@require_safe
def request_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    return _course_thanks_page(request, slug, "enrolments/request_thanks.html")
