"""Regenerate docs/images/html-report.png, the README's picture of the HTML report: check a
seed spec with --html into a temporary folder, open one counterexample page at a step in
Debian's Chromium (headless, through Selenium, as tests/test_html_report.py does) and save a
screenshot.

    python3 tools/screenshot_report.py [SPEC] [STEP]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "images" / "html-report.png"


def main(spec: str = "specs/dora_drop_token_buggy.spec", step: int = 2) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "html"
        subprocess.run([sys.executable, "-m", "checker", "check", spec, "--html", str(out),
                        "--no-progress"], cwd=ROOT, check=True, capture_output=True)
        page = next(p for p in sorted(out.glob("*.html")) if p.name != "index.html")
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--hide-scrollbars", "--window-size=1400,860",
                     f"--user-data-dir={Path(tmp) / 'profile'}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        try:
            driver.get(f"{page.as_uri()}#step-{step}")
            TARGET.parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(TARGET))
        finally:
            driver.quit()
    print(TARGET.relative_to(ROOT))


if __name__ == "__main__":
    main(*sys.argv[1:2], *(int(a) for a in sys.argv[2:3]))
