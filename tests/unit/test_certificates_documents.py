"""The certificate and the 学时 statement as PDFs (read back by text extraction, their QR codes by a QR reader), a
class's ZIP, and the verification page in a real headless Chromium (Debian's chromium and chromium-driver)."""

from __future__ import annotations

import base64
import io
import shutil
import socket
import subprocess
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from pdfminer.high_level import extract_text as pdfminer_text
from pypdf import PdfReader

from services.certificates.documents import DocumentError
from services.certificates.documents.archive import certificate_file_name, zip_of
from services.certificates.documents.fonts import CertificateFont
from services.certificates.documents.pdf import CertificateDocument, certificate_pdf, hours_statement_pdf
from services.certificates.documents.verification_page import render_verification_page
from services.certificates.domain.numbers import parse_number
from services.certificates.domain.statements import RequirementStanding, annual_statement
from services.certificates.domain.verification import IssuedDocument, mistyped, public_verification

# Screenshots of the verification page, kept after the run for people to look at (git-ignored).
ARTEFACTS = Path(__file__).parents[2] / ".artefacts" / "certificates"
SCHOOL = "中共上海开放大学委员会党校"
CERTIFICATE = CertificateDocument(
    number="DX2026-7KQ0M3XH9RV2",
    holder_name="欧阳堃",
    class_title="发展对象培训班（2026年第一期）",
    category_label="发展对象培训",
    hours=Decimal("24.5"),
    starts_on=date(2026, 7, 1),
    ends_on=date(2026, 7, 5),
    issued_on=date(2026, 7, 6),
    issuer_name=SCHOOL,
    verification_url="https://dangxiao.example.edu/verify/DX2026-7KQ0M3XH9RV2",
)
STATEMENT = annual_statement(
    number="XS2026-7KQ0M3XH9RV2",
    person_id="20260001",
    holder_name="张三",
    year=2026,
    by_channel={"offline": Decimal(30), "online": Decimal("12.5")},
    by_category={"发展对象培训": Decimal(24)},
    requirements=[RequirementStanding("党员每年集中学习培训不少于32学时", Decimal(32), True, "42.5 of 32 学时")],
    issued_at=datetime(2026, 12, 1, 3, tzinfo=UTC),
)


@pytest.fixture(scope="module")
def font() -> CertificateFont:
    return CertificateFont.find()


def text_of(pdf: bytes) -> tuple[str, str]:
    """The PDF's text as pypdf and pdfminer.six extract it, lines joined (a long title wraps)."""
    by_pypdf = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return by_pypdf.replace("\n", ""), pdfminer_text(io.BytesIO(pdf)).replace("\n", "")


def qr_codes_in(pdf: bytes, tmp_path: Path) -> list[str]:
    """What a QR reader finds on the printed page (poppler's pdftoppm, then zbar's zbarimg)."""
    if shutil.which("pdftoppm") is None or shutil.which("zbarimg") is None:
        pytest.fail("reading the QR code needs Debian's poppler-utils and zbar-tools")
    (tmp_path / "document.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", "document.pdf", "page"], cwd=tmp_path, check=True)
    found = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "page.png"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    return found.stdout.split()


# ── the certificate (结业证书) ─────────────────────────────────────────────────────────────────────────


def test_the_certificate_pdf_reads_back_as_chinese_text(font: CertificateFont) -> None:
    for text in text_of(certificate_pdf(CERTIFICATE, font)):
        assert "欧阳堃" in text
        assert "发展对象培训班（2026年第一期）" in text
        assert "于2026年7月1日至2026年7月5日参加中共上海开放大学委员会党校举办的" in text
        assert "共计24.5学时" in text  # a number is never broken across lines
        assert "DX2026-7KQ0M3XH9RV2" in text
        assert "二〇二六年七月六日" in text
        assert "（印章处）" in text


def test_the_certificates_qr_code_opens_its_verification_page(font: CertificateFont, tmp_path: Path) -> None:
    assert qr_codes_in(certificate_pdf(CERTIFICATE, font), tmp_path) == [CERTIFICATE.verification_url]


def test_a_certificate_renders_to_the_same_bytes_every_time(font: CertificateFont) -> None:
    assert certificate_pdf(CERTIFICATE, font) == certificate_pdf(CERTIFICATE, font)


def test_a_name_the_font_cannot_draw_is_refused_rather_than_printed_as_boxes(font: CertificateFont) -> None:
    with pytest.raises(DocumentError, match="cannot draw 𠀀"):
        certificate_pdf(replace(CERTIFICATE, holder_name="王𠀀"), font)


def test_the_font_is_found_where_the_setting_says_or_the_error_names_the_debian_package(tmp_path: Path) -> None:
    found = CertificateFont.find()
    assert CertificateFont.find(found.regular.parent) == found
    with pytest.raises(DocumentError, match="fonts-lxgw-wenkai"):
        CertificateFont.find(tmp_path)


# ── the annual 学时 statement (学时证明) ─────────────────────────────────────────────────────────────────


def test_the_hours_statement_pdf_shows_the_years_hours_by_channel_and_category_and_the_requirement(
    font: CertificateFont, tmp_path: Path
) -> None:
    url = "https://dangxiao.example.edu/verify/XS2026-7KQ0M3XH9RV2"
    pdf = hours_statement_pdf(STATEMENT, SCHOOL, url, font)
    for text in text_of(pdf):
        assert "兹证明张三同志（工号/学号：20260001）2026年度参加党校及各类学习培训，累计42.5学时" in text
        assert "已达到“党员每年集中学习培训不少于32学时”（32学时）的要求" in text
        assert "XS2026-7KQ0M3XH9RV2" in text
    # The table row by row, as pypdf reads it (pdfminer.six reads a table column by column).
    rows = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().splitlines()
    for row in (
        "学习形式 集中学习 30",
        "学习形式 网络学习 12.5",
        "培训类别 发展对象培训 24",
        "培训类别 班级外自主学习 18.5",
    ):
        assert row in rows
    assert "合计 42.5" in rows
    assert qr_codes_in(pdf, tmp_path) == [url]


def test_a_statement_that_falls_short_says_so(font: CertificateFont) -> None:
    short = annual_statement(
        number="XS2026-7KQ0M3XH9RV2",
        person_id="20260001",
        holder_name="张三",
        year=2026,
        by_channel={"offline": Decimal(20)},
        by_category={},
        requirements=[RequirementStanding("党员每年集中学习培训不少于32学时", Decimal(32), False, "20 of 32 学时")],
        issued_at=datetime(2026, 12, 1, 3, tzinfo=UTC),
    )
    pypdf_text, _ = text_of(hours_statement_pdf(short, SCHOOL, "https://dangxiao.example.edu/verify/x", font))
    assert "累计20学时，未达到“党员每年集中学习培训不少于32学时”（32学时）的要求" in pypdf_text


# ── a class's certificates in one ZIP ─────────────────────────────────────────────────────────────────


def test_a_classs_pdfs_download_as_one_zip(font: CertificateFont) -> None:
    holders = {"DX2026-AAAAAAAAAAAA": "张三", "DX2026-BBBBBBBBBBBB": "李四", "DX2026-CCCCCCCCCCCC": "欧阳堃"}
    pdfs = {
        certificate_file_name(number, name): certificate_pdf(
            replace(CERTIFICATE, number=number, holder_name=name), font
        )
        for number, name in holders.items()
    }
    archive = zip_of(pdfs.items(), datetime(2026, 7, 6, 10, 0))
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        assert opened.testzip() is None
        assert opened.namelist() == [
            "DX2026-AAAAAAAAAAAA 张三.pdf",
            "DX2026-BBBBBBBBBBBB 李四.pdf",
            "DX2026-CCCCCCCCCCCC 欧阳堃.pdf",
        ]
        for name, pdf in pdfs.items():
            assert opened.read(name) == pdf
        assert "李四" in text_of(opened.read("DX2026-BBBBBBBBBBBB 李四.pdf"))[0]
    assert zip_of(pdfs.items(), datetime(2026, 7, 6, 10, 0)) == archive  # the same files, the same bytes


def test_file_names_in_the_zip_are_safe_and_unique() -> None:
    assert certificate_file_name("DX2026-AAAAAAAAAAAA", 'a/b\\c:"d"\n') == "DX2026-AAAAAAAAAAAA a_b_c__d_.pdf"
    with pytest.raises(DocumentError, match="two files named"):
        zip_of([("a.pdf", b"1"), ("a.pdf", b"2")], datetime(2026, 7, 6))


# ── the public verification page (证书查验) ──────────────────────────────────────────────────────────────

ISSUED = IssuedDocument(
    holder_name="张三",
    title="发展对象培训班（2026年第一期）",
    hours=Decimal(24),
    starts_on=date(2026, 7, 1),
    ends_on=date(2026, 7, 5),
    issued_on=date(2026, 7, 6),
)


def page(issued: IssuedDocument | None = ISSUED, typed: str | None = None) -> str:
    """The page for DX2026-7KQ0M3XH9RV2 issued as ``issued``, or for the number ``typed`` with a typo."""
    number = parse_number("DX2026-7KQ0M3XH9RV2")
    assert number is not None
    view = mistyped(typed) if typed is not None else public_verification(number, issued)
    return render_verification_page(view, school_name=SCHOOL, form_action="/verify")


def test_a_valid_certificate_shows_only_the_masked_name_the_class_its_hours_and_dates() -> None:
    html = page()
    for shown in (
        "✓ 有效结业证书",
        "张*",
        "发展对象培训班（2026年第一期）",
        "<dd>24</dd>",
        "2026年7月1日 至 2026年7月5日",
    ):
        assert shown in html
    assert "张三" not in html


def test_a_revoked_certificate_shows_when() -> None:
    html = page(replace(ISSUED, revoked_on=date(2026, 8, 1)))
    assert "该结业证书已撤销，撤销于2026年8月1日" in html


def test_an_unknown_and_a_mistyped_number_are_told_apart() -> None:
    assert "未找到该编号" in page(None)
    assert "校验位不符" in page(typed="DX2026-7KQ0M3XH9RV3")


def test_everything_shown_is_escaped() -> None:
    html = page(replace(ISSUED, title='<script>alert("x")</script>'), typed=None)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<input name="number"' in page(typed='"><img src=x onerror=alert(1)>')
    assert "<img" not in page(typed='"><img src=x onerror=alert(1)>')


@dataclass(frozen=True)
class Browser:
    client: httpx.Client
    session: str

    def open(self, url: str) -> None:
        self._command("url", {"url": url})

    def run(self, script: str) -> Any:
        return self._command("execute/sync", {"script": script, "args": []})

    def screenshot(self) -> bytes:
        response = self.client.get(f"/session/{self.session}/screenshot")
        response.raise_for_status()
        return base64.b64decode(response.json()["value"])

    def _command(self, command: str, body: dict[str, Any]) -> Any:
        response = self.client.post(f"/session/{self.session}/{command}", json=body)
        response.raise_for_status()
        return response.json()["value"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """Debian's headless Chromium through chromedriver's W3C WebDriver endpoint, emulating a 390×844 phone."""
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or driver is None:
        pytest.fail("the page is checked in Debian's chromium: apt-get install chromium chromium-driver")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    arguments = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ]
    capabilities = {
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": arguments,
            "mobileEmulation": {"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 2}},
        },
    }
    process = subprocess.Popen([driver, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
    try:
        session = _new_session(client, {"capabilities": {"alwaysMatch": capabilities}}, time.monotonic() + 30)
        yield Browser(client, session)
        client.delete(f"/session/{session}")
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=10)


def _new_session(client: httpx.Client, body: dict[str, Any], deadline: float) -> str:
    while True:  # chromedriver takes a moment to listen
        try:
            response = client.post("/session", json=body)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
            continue
        response.raise_for_status()
        session: str = response.json()["value"]["sessionId"]
        return session


@pytest.mark.parametrize(
    ("name", "issued", "typed", "status"),
    [
        ("valid", ISSUED, None, "✓ 有效结业证书"),
        ("revoked", replace(ISSUED, revoked_on=date(2026, 8, 1)), None, "已撤销"),
        ("unknown", None, None, "未找到该编号"),
        ("mistyped", None, "DX2026-7KQ0M3XH9RV3", "校验位不符"),
    ],
)
def test_the_page_reads_on_a_phone_in_a_real_browser(
    browser: Browser, tmp_path: Path, name: str, issued: IssuedDocument | None, typed: str | None, status: str
) -> None:
    (tmp_path / "page.html").write_text(page(issued, typed), encoding="utf-8")
    browser.open((tmp_path / "page.html").as_uri())
    layout = browser.run(
        "const status = document.querySelector('.status');"
        "return {scroll: document.documentElement.scrollWidth, width: window.innerWidth,"
        " text: document.body.innerText, statusBottom: status.getBoundingClientRect().bottom,"
        " height: window.innerHeight};"
    )
    assert layout["width"] == 390  # the phone's viewport, not the window's
    assert layout["scroll"] <= layout["width"]  # nothing wider than the phone: no sideways scrolling
    assert status in layout["text"]
    assert layout["statusBottom"] < layout["height"]  # the verdict is seen without scrolling
    if issued is not None:
        assert "张*" in layout["text"] and "张三" not in layout["text"]
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = browser.screenshot()
    assert screenshot.startswith(b"\x89PNG")
    (ARTEFACTS / f"verification-page-{name}.png").write_bytes(screenshot)
