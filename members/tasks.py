"""Celery tasks of the members app: sending one-time SMS codes (members.otp)."""

from __future__ import annotations

import logging

from celery import shared_task

from core import sms
from core.validators import mask_phone

logger = logging.getLogger(__name__)

SEND_RETRIES = 3


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=SEND_RETRIES)
def send_code(self, phone: str, code: str, out_id: str = "") -> str:
    """Send a one-time code by SMS. A retryable failure (throttled, provider down) is tried
    again a few times within the code's five minutes; any other is logged and dropped: the
    user asks for a new code."""
    try:
        return sms.send_sms(phone, "login_code", {"code": code}, out_id=out_id)
    except sms.SmsError as error:
        if error.retryable and not self.request.is_eager and self.request.retries < SEND_RETRIES:
            raise self.retry(exc=error, countdown=10 * (self.request.retries + 1)) from error
        logger.error("SMS code to %s not sent: %s", mask_phone(phone), error)
        return ""


@shared_task(acks_late=True, reject_on_worker_lost=True)
def preview_import(job_id: int) -> None:
    """Check an uploaded workbook in the background (members.services.import_job_preview)."""
    from .services import import_job_preview

    import_job_preview(job_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def confirm_import(job_id: int) -> None:
    """Import a confirmed workbook, all or nothing (members.services.import_job_confirm)."""
    from .services import import_job_confirm

    import_job_confirm(job_id)
