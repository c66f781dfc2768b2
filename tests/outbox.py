"""Reading queued mail in tests that run no worker: render a row as the worker would."""

from enrolments.mail.render import render_into
from enrolments.models import QueuedEmail


def rendered(message: QueuedEmail) -> QueuedEmail:
    """The row with its subject, texts and calendar files, rendered if the worker has not."""
    if not message.body_text:
        render_into(message)
    return message
