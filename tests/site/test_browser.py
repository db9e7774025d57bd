"""The built site in a real browser: headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from site_tools.site.build import BuildResult
from tests.site.hubs import REPO

pytestmark = pytest.mark.slow

ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server(built_site: BuildResult) -> Iterator[str]:
    """The built site on a free port of 127.0.0.1, served from a thread."""
    handler = functools.partial(_Quiet, directory=str(built_site.site_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (bash scripts/setup.sh --with-browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


class Visit:
    """A browser page that records console errors and every URL it requests."""

    def __init__(self, browser: object, color_scheme: str):
        self.context = browser.new_context(  # type: ignore[attr-defined]
            viewport={"width": 1280, "height": 1000}, color_scheme=color_scheme
        )
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        # Anything not for the local server is refused, so a leak fails fast and visibly.
        self.page.route(re.compile(r"^(?!http://127\.0\.0\.1:\d+/).*"), lambda route: route.abort())

    def open(self, url: str) -> object:
        self.page.goto(url)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        height = self.page.evaluate("document.documentElement.scrollHeight")
        self.page.set_viewport_size({"width": 1280, "height": min(int(height), 6000)})
        self.page.wait_for_timeout(300)
        self.page.screenshot(path=str(ARTIFACTS / name))
        self.page.set_viewport_size({"width": 1280, "height": 1000})

    def close(self) -> None:
        self.context.close()
        assert self.errors == [], self.errors
        hosts = {urlsplit(u).hostname for u in self.requests if not u.startswith("data:")}
        assert hosts == {"127.0.0.1"}, sorted(
            u for u in self.requests if urlsplit(u).hostname != "127.0.0.1"
        )


@pytest.fixture
def visit(browser: object) -> Iterator[Visit]:
    opened: list[Visit] = []

    def make(color_scheme: str = "light") -> Visit:
        v = Visit(browser, color_scheme)
        opened.append(v)
        return v

    yield make  # type: ignore[misc]
    for v in opened:
        v.close()


def _image_loaded(page: object, selector: str) -> bool:
    return bool(
        page.eval_on_selector(  # type: ignore[attr-defined]
            selector, "img => img.complete && img.naturalWidth > 0"
        )
    )


def test_home_shows_the_counts_and_strands(server: str, visit) -> None:  # type: ignore[no-untyped-def]
    v = visit()
    page = v.open(server)
    counts = page.locator(".lmhub-count").all_inner_texts()
    assert [" ".join(c.split()) for c in counts] == [
        "4 claims",
        "1 reproduced",
        "1 failing",
        "2 open questions",
    ]
    assert page.locator(".grid.cards > ul > li").count() == 5
    tabs = page.locator(".md-tabs__link").all_inner_texts()
    assert [t.strip() for t in tabs][:5] == [
        "Home",
        "Claims",
        "Open questions",
        "Strands",
        "Papers",
    ]
    v.screenshot("home-light.png")


def test_claim_page_shows_badge_math_plot_and_citations(server: str, visit) -> None:  # type: ignore[no-untyped-def]
    v = visit()
    page = v.open(server + "claims/logistic-modes/")
    assert _image_loaded(page, "img.lmhub-badge")
    assert _image_loaded(page, "img.lmhub-plot")
    assert page.locator("article math").count() >= 5
    assert page.eval_on_selector("article math", "m => m.getBoundingClientRect().width") > 0
    text = page.inner_text("article")
    assert not re.search(r"\$[^$\s][^$]*\$", text), "raw $...$ on the page"
    assert "Saxe" in text and "Exact solutions to the nonlinear dynamics" in text
    assert page.locator('article a[href="https://arxiv.org/abs/1312.6120"]').count() == 1
    assert "@inproceedings{saxe2014exact," in text
    assert "lmhub run logistic-modes" in text
    v.screenshot("claim-light.png")


def test_search_finds_a_claim_by_a_word_of_its_statement(server: str, visit) -> None:  # type: ignore[no-untyped-def]
    v = visit()
    page = v.open(server)
    page.click("input[data-md-component=search-query]")
    page.keyboard.type("quasistatic", delay=30)  # the theme searches on key events
    result = page.locator(".md-search-result__item").first
    result.wait_for(timeout=15_000)
    assert "Each mode is learned on its own logistic clock" in result.inner_text()


def test_claims_table_filters_and_sorts(server: str, visit) -> None:  # type: ignore[no-untyped-def]
    v = visit()
    page = v.open(server + "claims/")
    rows = page.locator("#claims-table tbody tr")
    assert rows.count() == 4
    page.select_option("select[data-column='2']", "failed")
    visible = [r for r in rows.all() if r.is_visible()]
    assert len(visible) == 1 and "Sharpness rises" in visible[0].inner_text()
    assert page.inner_text(".lmhub-filter-count") == "1 of 4 shown"
    page.select_option("select[data-column='2']", "")
    page.click("#claims-table th:has-text('Claim')")
    page.click("#claims-table th:has-text('Claim')")
    first = rows.first.inner_text()
    assert first.startswith("Wide networks"), first


def test_both_palettes(server: str, visit) -> None:  # type: ignore[no-untyped-def]
    v = visit("light")
    page = v.open(server + "claims/logistic-modes/")
    assert page.get_attribute("body", "data-md-color-scheme") == "default"
    page.locator("form[data-md-component=palette] label:visible").click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background != "rgb(255, 255, 255)"
    assert _image_loaded(page, "img.lmhub-plot")
    v.screenshot("claim-dark.png")
    dark = visit("dark")
    home = dark.open(server)
    assert home.get_attribute("body", "data-md-color-scheme") == "slate"
    dark.screenshot("home-dark.png")
