"""The self-service link in e-mails (a signed token) and the receipt behind the result page
(kept in the visitor's server-side session)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core import signing
from django.urls import reverse
from django.utils import timezone

from enrolments.models import Enrolment, EnrolmentGroup

SELF_SERVICE_SALT = "enrolments.self-service"
GROUP_CONFIRM_SALT = "enrolments.group-confirm"
RECEIPT_MAX_AGE = 60 * 60  # the result page is for right after enrolling
LINK_VALID_AFTER_SESSION = datetime.timedelta(days=30)


class InvalidLink(Exception):
    """The link was altered or never issued by us."""


class ExpiredLink(Exception):
    """The link was ours but no longer opens anything."""


def _signed_pair(token: str, *, salt: str) -> tuple[int, str]:
    """The (id, secret) a link signed with salt carries; InvalidLink when it is not ours."""
    try:
        pk, secret = signing.loads(token, salt=salt)
        return int(pk), str(secret)
    except (signing.BadSignature, TypeError, ValueError) as error:
        raise InvalidLink from error


def self_service_token(enrolment: Enrolment) -> str:
    # The secret lets us revoke a link (a new secret) without changing the enrolment's id.
    return signing.dumps([enrolment.pk, enrolment.secret.hex[:12]], salt=SELF_SERVICE_SALT)


def self_service_path(enrolment: Enrolment) -> str:
    return reverse("enrolments:self-service", args=[self_service_token(enrolment)])


def enrolment_from_token(token: str) -> Enrolment:
    pk, secret = _signed_pair(token, salt=SELF_SERVICE_SALT)
    enrolment = (
        Enrolment.objects.select_related("session__course", "session__location")
        .filter(pk=pk)
        .first()
    )
    if enrolment is None or enrolment.secret.hex[:12] != secret:
        raise ExpiredLink
    ends_at = enrolment.session.ends_at
    if ends_at is not None and ends_at + LINK_VALID_AFTER_SESSION < timezone.now():
        raise ExpiredLink
    return enrolment


@dataclass(frozen=True)
class Receipt:
    """What the result page shows: the outcome, not who is enrolled."""

    session_id: int
    status: str
    position: int | None
    first_name: str

    @property
    def is_registered(self) -> bool:
        return self.status == Enrolment.Status.REGISTERED


def store_receipt(receipt: Receipt, now: datetime.datetime | None = None) -> dict:
    """The receipt as kept in the visitor's server-side session (never in a URL)."""
    return {
        "session": receipt.session_id,
        "status": receipt.status,
        "position": receipt.position,
        "first_name": receipt.first_name[:100],
        "at": int((now or timezone.now()).timestamp()),
    }


def receipt_from_session(data: object, now: datetime.datetime | None = None) -> Receipt | None:
    """The receipt kept by store_receipt(), or None when absent, malformed or too old."""
    if not isinstance(data, dict):
        return None
    try:
        if (now or timezone.now()).timestamp() - int(data["at"]) > RECEIPT_MAX_AGE:
            return None
        position = data["position"]
        return Receipt(
            int(data["session"]),
            str(data["status"]),
            None if position is None else int(position),
            str(data["first_name"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def group_confirm_path(group: EnrolmentGroup) -> str:
    """The link that lets the sender of a group form confirm it (only they receive it)."""
    token = signing.dumps([group.pk, group.secret.hex], salt=GROUP_CONFIRM_SALT)
    return reverse("enrolments:group-confirm", args=[token])


def group_from_token(token: str) -> EnrolmentGroup:
    """The group a confirmation link is for; ExpiredLink once the request was purged."""
    pk, secret = _signed_pair(token, salt=GROUP_CONFIRM_SALT)
    group = EnrolmentGroup.objects.filter(pk=pk).first()
    if group is None or group.secret.hex != secret:
        raise ExpiredLink
    return group
