"""Public enrolment pages. Every rule lives in services.py; these views only translate."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from catalogue.ratelimit import ratelimit_post
from enrolments.forms import CancelForm, EnrolmentForm, InterestForm, SessionRequestForm
from enrolments.services import (
    EnrolmentError,
    Outcome,
    ReservedSession,
    enrolment_cancel,
    enrolment_create,
    interest_register,
    session_request_create,
)
from enrolments.tokens import (
    ExpiredLink,
    InvalidLink,
    Receipt,
    enrolment_from_token,
    receipt_from_token,
    receipt_token,
)
from trainings.models import Course, Session


def public_session(session_id: int) -> Session:
    return get_object_or_404(Session.objects.public().for_listing(), pk=session_id)


def receipt_redirect(session: Session, outcome: Outcome, first_name: str) -> HttpResponse:
    token = receipt_token(Receipt(session.pk, outcome.status, outcome.position, first_name))
    return redirect(reverse("enrolments:enrolled", args=[session.pk]) + f"?r={token}")


@require_http_methods(["GET", "POST"])
@ratelimit_post("enrol")
def enrol(request: HttpRequest, session_id: int) -> HttpResponse:
    if request.method == "POST":
        # Enough to validate and enrol; the page is only drawn again when something is wrong.
        session = get_object_or_404(
            Session.objects.public().select_related("course"), pk=session_id
        )
    else:
        session = public_session(session_id)
    form = EnrolmentForm(request.POST or None, session=session)
    status = 200
    if request.method == "POST":
        if form.is_bot:
            # Look like success to the bot; store and send nothing.
            return receipt_redirect(session, Outcome("registered"), "")
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
            except ReservedSession as error:
                form.add_error("organisation", error.message)
                status = 403
            except EnrolmentError as error:
                form.add_error(None, error.message)
                status = 409
            else:
                # The same page whether or not the address was enrolled already (rule 6).
                return receipt_redirect(session, result.outcome, data["first_name"])
        else:
            status = 400
    if request.method == "POST":
        session = form.session = public_session(session_id)  # with places and days
    return render(
        request, "enrolments/enrol.html", {"session": session, "form": form}, status=status
    )


@require_safe
def enrolled(request: HttpRequest, session_id: int) -> HttpResponse:
    session = public_session(session_id)
    try:
        receipt = receipt_from_token(request.GET.get("r", ""))
    except InvalidLink:
        receipt = None
    if receipt is None or receipt.session_id != session.pk:
        return render(request, "enrolments/receipt_expired.html", {"session": session}, status=400)
    return render(request, "enrolments/enrolled.html", {"session": session, "receipt": receipt})


@require_http_methods(["GET", "POST"])
@ratelimit_post("self-service")
def self_service(request: HttpRequest, token: str) -> HttpResponse:
    try:
        enrolment = enrolment_from_token(token)
    except InvalidLink:
        return render(request, "enrolments/link_invalid.html", status=400)
    except ExpiredLink:
        return render(request, "enrolments/link_expired.html", status=410)
    form = CancelForm(request.POST or None)
    status = 200
    if request.method == "POST":
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
    session = Session.objects.for_listing().get(pk=enrolment.session_id)
    return render(
        request,
        "enrolments/self_service.html",
        {
            "enrolment": enrolment,
            "session": session,
            "position": enrolment.get_waitlist_position(),
            "form": form,
        },
        status=status,
    )


def published_course(slug: str) -> Course:
    return get_object_or_404(Course.objects.published(), slug=slug)


@require_http_methods(["GET", "POST"])
@ratelimit_post("interest")
def interest(request: HttpRequest, slug: str) -> HttpResponse:
    course = published_course(slug)
    form = InterestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_bot:
            return redirect("enrolments:interest-thanks", slug=course.slug)
        if form.is_valid():
            interest_register(
                course=course,
                email=form.cleaned_data["email"],
                organisation=form.cleaned_data["organisation"],
                city=form.cleaned_data["city"],
                language=request.LANGUAGE_CODE,
            )
            return redirect("enrolments:interest-thanks", slug=course.slug)
        status = 400
    return render(
        request, "enrolments/interest.html", {"course": course, "form": form}, status=status
    )


@require_safe
def interest_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "enrolments/interest_thanks.html", {"course": published_course(slug)})


@require_http_methods(["GET", "POST"])
@ratelimit_post("request")
def session_request(request: HttpRequest, slug: str) -> HttpResponse:
    course = published_course(slug)
    form = SessionRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_bot:
            return redirect("enrolments:request-thanks", slug=course.slug)
        if form.is_valid():
            data = form.cleaned_data
            session_request_create(
                course=course,
                organisation=data["organisation"],
                contact_name=data["contact_name"],
                email=data["email"],
                phone=data["phone"],
                participants=data["participants"],
                preferred_period=data["preferred_period"],
                message=data["message"],
                language=request.LANGUAGE_CODE,
            )
            return redirect("enrolments:request-thanks", slug=course.slug)
        status = 400
    return render(
        request, "enrolments/session_request.html", {"course": course, "form": form}, status=status
    )


@require_safe
def request_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "enrolments/request_thanks.html", {"course": published_course(slug)})
