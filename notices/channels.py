"""The channels a notice goes out by, behind one interface.

Each channel is an object with ``send(delivery)``: it sends the delivery's notice to
``delivery.address`` and returns, or raises ``RetryableError`` (try again later: a
timeout, a 5xx answer, a rate limit) or ``PermanentError`` (trying again cannot help: a
wrong webhook, a refused signature, a malformed address). Every attempt passes the same
``delivery.out_id``: the SMS provider's OutId, the e-mail's Message-ID and the reference
at the foot of a work-chat message, so a provider or a reader can recognise a repeat.

- e-mail: Django's e-mail backend (``EMAIL_BACKEND``);
- SMS: ``core.sms.send_sms`` (the provider adapter configured there);
- work-chat: the region's 企业微信 or 钉钉 group robot (``WorkChatRobot``), or the default
  robot from the environment; 钉钉 robots with a secret are signed (timestamp + HMAC-SHA256).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMessage

from .models import Channel, Delivery, RobotKind, WorkChatRobot


class DeliveryError(Exception):
    retry = True


class RetryableError(DeliveryError):
    retry = True


class PermanentError(DeliveryError):
    retry = False


class Sender(Protocol):
    def send(self, delivery: Delivery) -> None: ...


def absolute(link: str) -> str:
    if not link or link.startswith(("http://", "https://")):
        return link
    return settings.NOTICE_SITE_URL.rstrip("/") + link if settings.NOTICE_SITE_URL else link


def text_of(delivery: Delivery) -> str:
    notice = delivery.notice
    parts = [notice.title]
    if notice.body:
        parts.append(notice.body)
    if notice.link:
        parts.append(absolute(notice.link))
    return "\n".join(parts)


class EmailSender:
    def send(self, delivery: Delivery) -> None:
        notice = delivery.notice
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
        message = EmailMessage(
            subject=notice.title,
            body=text_of(delivery),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[delivery.address],
            headers={"Message-ID": f"<{delivery.out_id}@{domain}>"},
        )
        try:
            message.send(fail_silently=False)
        except (OSError, ConnectionError) as error:  # smtplib.SMTPException is an OSError
            raise RetryableError(f"邮件发送失败：{error}") from error


class SmsSender:
    def send(self, delivery: Delivery) -> None:
        try:
            send_sms = importlib.import_module("core.sms").send_sms
        except (ImportError, AttributeError) as error:
            raise PermanentError("短信服务未配置（core.sms）。") from error
        try:
            send_sms(delivery.address, "notice", {"title": delivery.notice.title}, out_id=delivery.out_id)
        except Exception as error:  # core.sms.SmsError says whether a later try may pass
            retryable = getattr(error, "retryable", True)
            reason = f"短信发送失败：{error}"
            raise (RetryableError if retryable else PermanentError)(reason) from error


def dingtalk_signed(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    """The webhook URL with ``&timestamp=…&sign=…`` as 钉钉 requires of a robot with 加签:
    sign = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")))."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


def wecom_message(delivery: Delivery, mobile: str) -> dict[str, Any]:
    content = f"{text_of(delivery)}\n（编号 {delivery.out_id}）"
    message: dict[str, Any] = {"msgtype": "text", "text": {"content": content}}
    if mobile:
        message["text"]["mentioned_mobile_list"] = [mobile]
    return message


def dingtalk_message(delivery: Delivery, mobile: str) -> dict[str, Any]:
    notice = delivery.notice
    lines = [f"#### {notice.title}"]
    if notice.body:
        lines.append(notice.body)
    if notice.link:
        lines.append(f"[查看详情]({absolute(notice.link)})")
    lines.append(f"编号 {delivery.out_id}" + (f" @{mobile}" if mobile else ""))
    return {
        "msgtype": "markdown",
        "markdown": {"title": notice.title, "text": "\n\n".join(lines)},
        "at": {"atMobiles": [mobile] if mobile else [], "isAtAll": False},
    }


# Robot answers that mean "too many messages, later" (企业微信 45009, 钉钉 130101 / 660026).
RATE_LIMITED = {45009, 130101, 660026}


def post_json(url: str, payload: dict[str, Any]) -> None:
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked (http/https) by the model
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.NOTICE_HTTP_TIMEOUT) as response:  # noqa: S310
            raw = response.read(65536)
    except urllib.error.HTTPError as error:
        reason = f"机器人接口返回 HTTP {error.code}"
        if error.code >= 500 or error.code == 429:
            raise RetryableError(reason) from error
        raise PermanentError(reason) from error
    except (TimeoutError, urllib.error.URLError, OSError) as error:
        raise RetryableError(f"机器人接口无法访问或超时：{error}") from error
    try:
        answer = json.loads(raw or b"{}")
    except ValueError as error:
        raise RetryableError("机器人接口的回答不是 JSON。") from error
    code = answer.get("errcode", 0) if isinstance(answer, dict) else 0
    if code:
        reason = f"机器人接口拒绝：errcode {code} {answer.get('errmsg', '')}".strip()
        raise (RetryableError if code in RATE_LIMITED else PermanentError)(reason)


class WorkChatSender:
    def robot(self, address: str) -> tuple[str, str, str]:
        """(kind, url, secret) of the robot named by a delivery's address."""
        if address.startswith("robot:"):
            robot = WorkChatRobot.objects.filter(pk=address.removeprefix("robot:")).first()
            if robot is None or not robot.active:
                raise PermanentError("该工作群机器人已停用或删除。")
            return robot.kind, robot.webhook_url, robot.secret
        if address == "default:wecom" and settings.NOTICE_WECOM_WEBHOOK:
            return RobotKind.WECOM, settings.NOTICE_WECOM_WEBHOOK, ""
        if address == "default:dingtalk" and settings.NOTICE_DINGTALK_WEBHOOK:
            return RobotKind.DINGTALK, settings.NOTICE_DINGTALK_WEBHOOK, settings.NOTICE_DINGTALK_SECRET
        raise PermanentError("未配置工作群机器人。")

    def send(self, delivery: Delivery) -> None:
        kind, url, secret = self.robot(delivery.address)
        person = getattr(delivery.notice.recipient, "person", None)
        mobile = person.mobile if person is not None else ""
        if kind == RobotKind.DINGTALK:
            post_json(dingtalk_signed(url, secret) if secret else url, dingtalk_message(delivery, mobile))
        else:
            post_json(url, wecom_message(delivery, mobile))


SENDERS: dict[str, Sender] = {
    Channel.EMAIL: EmailSender(),
    Channel.SMS: SmsSender(),
    Channel.WORKCHAT: WorkChatSender(),
}


def sender_for(channel: str) -> Sender:
    return SENDERS[channel]
