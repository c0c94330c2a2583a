"""Write the oversight report: CSV and JSON for machines, HTML (with SVG charts) and PDF for people.

The HTML is one self-contained file (inline CSS with print rules, inline SVG), so the same page
is served under /web and printed to PDF by headless Chromium.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from crossverify.errors import CrossverifyError
from crossverify.files import write_safe_csv
from crossverify.oversight.report import OUTCOME_CODES, OversightReport, RequesterFigures
from crossverify.store.tables import RECALL_REASONS
from crossverify.web.svg import bar_chart, stacked_bar_chart

TEMPLATES: Final = Path(__file__).resolve().parent.parent / "web" / "templates"
CHROMIUM: Final = Path("/usr/bin/chromium")
CHROMIUM_FLAGS: Final = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--no-pdf-header-footer",
)
REJECT_CODES: Final = tuple(f"R0{i}" for i in range(1, 10))
DECIDED_CODES: Final = tuple(c for c in OUTCOME_CODES if c != "REJECTED")
REQUESTER_COLUMNS: Final = (
    "agency",
    "official",
    "batches_received",
    "records_received",
    "rejected",
    *(f"rejected_{c}" for c in REJECT_CODES),
    *(f"decided_{c}" for c in DECIDED_CODES),
    "batches_released",
    "addresses_disclosed",
    "lookups",
    "lookup_records",
    "lookup_disclosures",
    "recalls",
    "recalled_records",
    *(f"recalled_{r}" for r in RECALL_REASONS),
    "certified_destroyed",
    "holds_in_force",
    "expected_wrong_matches",
    "expected_wrong_rate",
    "wrong_disclosure_rate",
)
AUTHORITY_COLUMNS: Final = (
    "agency",
    "official",
    "authority",
    "addresses_disclosed",
    *(f"recalled_{r}" for r in RECALL_REASONS),
)


class ChromiumMissing(CrossverifyError):
    """`--pdf` needs headless Chromium, which is not installed here."""

    code = "chromium_missing"
    status = 501


@dataclass(frozen=True)
class ReportFiles:
    csv_path: Path
    authorities_csv_path: Path
    json_path: Path
    html_path: Path
    pdf_path: Path | None


def requester_row(row: RequesterFigures) -> dict[str, Any]:
    """One requester's figures flattened to the CSV's columns."""
    flat: dict[str, Any] = {k: v for k, v in vars(row).items() if not isinstance(v, dict)}
    flat.update({f"rejected_{c}": row.rejected_by_code.get(c, 0) for c in REJECT_CODES})
    flat.update({f"decided_{c}": row.decided_by_outcome.get(c, 0) for c in DECIDED_CODES})
    flat.update({f"recalled_{r}": row.recalled_by_reason.get(r, 0) for r in RECALL_REASONS})
    flat["expected_wrong_rate"] = _rate(row.expected_wrong_rate)
    flat["wrong_disclosure_rate"] = _rate(row.wrong_disclosure_rate)
    return flat


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}"


def render_html(report: OversightReport) -> str:
    """The report as one self-contained HTML page."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    totals = report.totals
    # Safe to mark: the SVG is built from numbers and escaped labels only.
    per_day = Markup(
        bar_chart(
            report.disclosures_per_day,
            title="Addresses disclosed per day (UTC)",
            chart_id="chart-disclosures",
        )
    )
    per_batch = Markup(
        stacked_bar_chart(
            report.outcomes_per_batch,
            categories=OUTCOME_CODES,
            title="Outcomes per batch received",
            chart_id="chart-outcomes",
        )
    )
    return env.get_template("report.html").render(
        report=report,
        totals=requester_row(totals),
        rows=[requester_row(r) for r in report.requesters],
        authorities=report.authorities,
        reasons=RECALL_REASONS,
        reject_codes=REJECT_CODES,
        decided_codes=DECIDED_CODES,
        per_day=per_day,
        per_batch=per_batch,
    )


def write_report(report: OversightReport, out_dir: Path, *, pdf: bool = False) -> ReportFiles:
    """Write `oversight_<from>_<to>.csv`, `_authorities.csv`, `.json`, `.html` (and `.pdf`)."""
    if pdf and not CHROMIUM.exists():
        raise ChromiumMissing(
            f"--pdf needs headless Chromium at {CHROMIUM} (apt-get install chromium); "
            "the HTML report prints to PDF from any browser too"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"oversight_{report.first_day.isoformat()}_{report.last_day.isoformat()}"
    csv_path = out_dir / f"{stem}.csv"
    rows = [requester_row(r) for r in report.requesters]
    totals = requester_row(report.totals)
    write_safe_csv(
        csv_path, REQUESTER_COLUMNS, ([r[c] for c in REQUESTER_COLUMNS] for r in (*rows, totals))
    )
    authorities_csv = out_dir / f"{stem}_authorities.csv"
    write_safe_csv(
        authorities_csv,
        AUTHORITY_COLUMNS,
        (
            [
                a.agency,
                a.official,
                a.authority,
                a.addresses_disclosed,
                *(a.recalled_by_reason.get(r, 0) for r in RECALL_REASONS),
            ]
            for a in report.authorities
        ),
    )
    json_path = out_dir / f"{stem}.json"
    json_path.write_text(
        json.dumps(report.as_dict(), indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    html_path = out_dir / f"{stem}.html"
    html_path.write_text(render_html(report), encoding="utf-8")
    pdf_path = print_pdf(html_path, out_dir / f"{stem}.pdf") if pdf else None
    return ReportFiles(csv_path, authorities_csv, json_path, html_path, pdf_path)


def print_pdf(html_path: Path, pdf_path: Path) -> Path:
    """Print an HTML file to PDF with headless Chromium (its print CSS applies)."""
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        raise ChromiumMissing(f"--pdf needs headless Chromium at {CHROMIUM}")
    with tempfile.TemporaryDirectory(prefix="cv-chromium-") as profile:
        result = subprocess.run(
            [
                str(CHROMIUM),
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--print-to-pdf={pdf_path}",
                html_path.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    if result.returncode != 0 or not pdf_path.is_file():
        raise CrossverifyError(
            f"Chromium could not print {html_path.name} to PDF: {result.stderr.strip()[-300:]}"
        )
    return pdf_path
