"""What people hold and read: the certificate and the annual 学时 statement as Chinese PDFs with a QR code to
their verification page, a class's certificates in one ZIP, and the public verification page itself."""

from datetime import date


class DocumentError(ValueError):
    """A document that cannot be made as asked; the message says why."""


def date_text(day: date) -> str:
    """2026年7月6日."""
    return f"{day.year}年{day.month}月{day.day}日"
