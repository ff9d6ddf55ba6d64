"""The daily digest: the operations page of one day, as PNG and PDF (the one picture sent to the leaders),
rendered by Debian's Chromium from the same page operators watch, so it shows the same figures."""

from __future__ import annotations

import base64
import shutil
from datetime import date
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.print_page_options import PrintOptions
from selenium.webdriver.support.ui import WebDriverWait


def browser(width: int = 1400, height: int = 1600) -> webdriver.Chrome:
    """Headless Chromium from Debian's packages (chromium, chromium-driver), keeping the page's log."""
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"))


def log_in(driver: webdriver.Chrome, console: str, token: str) -> None:
    """A script's session: the page's POST /login with a token (people sign in at their provider)."""
    driver.get(console + "/")
    WebDriverWait(driver, 20).until(lambda d: d.find_element(By.ID, "login").is_displayed())
    status = driver.execute_script(
        "return fetch('/login', {method: 'POST', headers: {'content-type': 'application/json'},"
        " body: JSON.stringify({token: arguments[0]})}).then(answer => answer.status)",
        token,
    )
    if status != 204:
        raise RuntimeError(f"the console refused the token ({status})")
    driver.get(console + "/")
    WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "board").is_displayed())


def render(console: str, token: str, day: date, out: Path) -> tuple[Path, Path]:
    """Write the day's page as `digest-DAY.png` and `.pdf` under `out`; answer both paths."""
    out.mkdir(parents=True, exist_ok=True)
    driver = browser()
    try:
        log_in(driver, console, token)
        driver.get(f"{console}/?date={day.isoformat()}")
        WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.body.dataset.loaded"))
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1400, max(int(height), 800))
        png, pdf = out / f"digest-{day.isoformat()}.png", out / f"digest-{day.isoformat()}.pdf"
        driver.save_screenshot(str(png))
        options = PrintOptions()
        options.background = True
        pdf.write_bytes(base64.b64decode(driver.print_page(options)))
        return png, pdf
    finally:
        driver.quit()
