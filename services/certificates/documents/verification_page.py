"""The public verification page (证书查验) a certificate's QR code opens: server-rendered HTML that reads well on a
phone, with no script and nothing fetched from elsewhere. Every value is escaped."""

from __future__ import annotations

from html import escape

from services.certificates.documents import date_text
from services.certificates.domain.completion import hours_text
from services.certificates.domain.numbers import NumberKind
from services.certificates.domain.verification import PublicVerification, VerificationStatus

# What the page's Content-Security-Policy header should say: nothing runs, nothing loads but the page's own style.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'"

_KIND_LABELS = {NumberKind.CERTIFICATE: "结业证书", NumberKind.HOURS_STATEMENT: "学时证明"}
_STYLE = """
:root { color-scheme: light; --ink: #212121; --muted: #616161; --line: #e0e0e0; }
* { box-sizing: border-box; }
body { margin: 0; background: #f5f5f5; color: var(--ink); line-height: 1.6;
  font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "LXGW WenKai", sans-serif; }
main { max-width: 32rem; margin: 0 auto; padding: 1rem; }
.school { color: var(--muted); margin: .25rem 0 0; }
h1 { font-size: 1.35rem; margin: 0 0 1rem; }
.card { background: #fff; border-radius: .75rem; padding: 1rem 1.25rem; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
.status { display: block; font-size: 1.15rem; font-weight: bold; padding: .75rem 1rem; border-radius: .5rem;
  margin: 0 0 1rem; }
.valid { background: #e8f5e9; color: #1b5e20; }
.revoked { background: #ffebee; color: #b71c1c; }
.unknown, .mistyped { background: #fff8e1; color: #8d6e00; }
dl { margin: 0; display: grid; grid-template-columns: max-content 1fr; gap: .5rem 1rem; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
.number { font-family: ui-monospace, "DejaVu Sans Mono", monospace; letter-spacing: .03em; }
form { margin-top: 1.25rem; display: flex; gap: .5rem; }
input { flex: 1; min-width: 0; font: inherit; padding: .5rem .75rem; border: 1px solid var(--line);
  border-radius: .5rem; }
button { font: inherit; padding: .5rem 1rem; border: 0; border-radius: .5rem; background: #b22222; color: #fff; }
footer { color: var(--muted); font-size: .85rem; margin-top: 1rem; }
"""


def render_verification_page(verification: PublicVerification, *, school_name: str, form_action: str) -> str:
    """The page for one number; ``form_action`` is where its form sends the next number to check (GET, ``number``)."""
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>证书查验 · {escape(school_name)}</title>
<style>{_STYLE}</style>
</head>
<body>
<main>
<p class="school">{escape(school_name)}</p>
<h1>证书查验</h1>
<section class="card">
{_status(verification)}
{_details(verification)}
</section>
<form method="get" action="{escape(form_action)}">
<input name="number" aria-label="证书编号" placeholder="输入证书或学时证明编号" value="{escape(verification.number)}">
<button type="submit">查验</button>
</form>
<footer>本页仅显示持证人姓名的第一个字。证书亦可用开放徽章（Open Badges 3.0）可验证凭证离线核验。</footer>
</main>
</body>
</html>
"""


def _status(verification: PublicVerification) -> str:
    kind = _KIND_LABELS[verification.kind] if verification.kind else "证书"
    match verification.status:
        case VerificationStatus.VALID:
            text = f"✓ 有效{kind}"
        case VerificationStatus.REVOKED:
            revoked = f"，撤销于{date_text(verification.revoked_on)}" if verification.revoked_on else ""
            text = f"✗ 该{kind}已撤销{revoked}"
        case VerificationStatus.UNKNOWN:
            text = "未找到该编号，请核对后重试"
        case VerificationStatus.MISTYPED:
            text = "编号有误：校验位不符，请检查是否输错"
    return f'<p class="status {verification.status.value}" role="status">{escape(text)}</p>'


def _details(verification: PublicVerification) -> str:
    rows = [("编号", f'<span class="number">{escape(verification.number)}</span>')]
    if verification.masked_name is not None:
        rows.append(("持证人", escape(verification.masked_name)))
    if verification.title is not None:
        label = "培训班" if verification.kind is NumberKind.CERTIFICATE else "证明"
        rows.append((label, escape(verification.title)))
    if verification.hours is not None:
        rows.append(("学时", escape(hours_text(verification.hours))))
    if verification.starts_on is not None and verification.ends_on is not None:
        rows.append(("日期", f"{date_text(verification.starts_on)} 至 {date_text(verification.ends_on)}"))
    if verification.issued_on is not None:
        rows.append(("发证日期", date_text(verification.issued_on)))
    items = "\n".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in rows)
    return f"<dl>\n{items}\n</dl>"
