"""Sending one email over SMTP, off the event loop.

    smtp = SmtpConfig(host="smtp.example.com", port=587, username="u", password="p",
                      sender="talent@example.com", starttls=True)
    await send_email(smtp, to="maria@example.com", subject="...", body="...",
                     from_address="talent@acme.example", from_name="Acme Talent")

The stdlib ``smtplib`` runs in a worker thread (``asyncio.to_thread``): no blocking I/O
on the event loop and no extra dependency. A refused or unreachable server raises
``MailFailed`` (``retryable`` for connection trouble and 4xx answers, not for 5xx).
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from gateway.errors import RemoteWriteFailed


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int = 587
    username: str | None = None
    password: str | None = None
    sender: str | None = None
    """The envelope and default From address; the tenant's ``email_from_address`` wins."""
    starttls: bool = True
    timeout: float = 10.0


class MailFailed(RemoteWriteFailed):
    """The SMTP server refused the message or could not be reached; nothing was sent."""


def build_message(
    smtp: SmtpConfig,
    *,
    to: str,
    subject: str,
    body: str,
    from_address: str | None,
    from_name: str | None,
) -> EmailMessage:
    sender = from_address or smtp.sender or (smtp.username if smtp.username else None)
    if not sender:
        raise MailFailed("no From address: set the tenant's emailFromAddress", retryable=False)
    message = EmailMessage()
    message["From"] = formataddr((from_name or "", sender))
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(body)
    return message


def _send(smtp: SmtpConfig, message: EmailMessage) -> None:
    with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as client:
        client.ehlo()
        if smtp.starttls:
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if smtp.username:
            client.login(smtp.username, smtp.password or "")
        client.send_message(message)


async def send_email(
    smtp: SmtpConfig,
    *,
    to: str,
    subject: str,
    body: str,
    from_address: str | None = None,
    from_name: str | None = None,
) -> None:
    message = build_message(
        smtp, to=to, subject=subject, body=body, from_address=from_address, from_name=from_name
    )
    try:
        await asyncio.to_thread(_send, smtp, message)
    except smtplib.SMTPResponseException as exc:
        raise MailFailed(
            f"the mail server refused the invitation ({exc.smtp_code})",
            retryable=400 <= exc.smtp_code < 500,
            status_code=exc.smtp_code,
        ) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailFailed(f"the mail server refused the recipient {to}", retryable=False) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise MailFailed(
            f"the mail server could not be reached: {type(exc).__name__}", retryable=True
        ) from exc
