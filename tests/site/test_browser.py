"""The built site in a real browser: headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import functools
import http.server
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from site_tools.site.build import BuildResult, build_site
from tests.site.hubs import REPO, make_site_hub

pytestmark = pytest.mark.slow

ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def _serve(site_dir: Path) -> Iterator[str]:
    """``site_dir`` on a free port of 127.0.0.1, served from a thread."""
    handler = functools.partial(_Quiet, directory=str(site_dir))
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
def server(built_site: BuildResult) -> Iterator[str]:
    """The built site, served."""
    with _serve(built_site.site_dir) as url:
        yield url


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
        "1 stale",
        "1 not run",
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
    bib = page.locator('article a[href$="bib/logistic-modes.bib"]').get_attribute("href")
    assert bib is not None
    assert "@inproceedings{saxe2014exact," in page.request.get(page.url + bib).text()
    assert ".venv/bin/lmhub run logistic-modes" in text and "git clone" in text
    v.screenshot("claim-light.png")


def _search(page: object, query: str) -> list[str]:
    """Open the search box, type ``query``, and return the result items' text."""
    page.click(".lmhub-search-button")  # type: ignore[attr-defined]
    page.keyboard.type(query, delay=20)  # type: ignore[attr-defined]
    items = page.locator(".lmhub-search__results li")  # type: ignore[attr-defined]
    items.first.wait_for(timeout=15_000)
    page.wait_for_timeout(400)  # type: ignore[attr-defined]
    return [" ".join(t.split()) for t in items.all_inner_texts()]


def test_search_finds_a_claim_by_a_word_of_its_statement(server: str, visit) -> None:  # type: ignore[no-untyped-def]
    v = visit()
    page = v.open(server)
    assert not [u for u in v.requests if "/pagefind/" in u], "the index loads before a search"
    results = _search(page, "quasistatic")
    assert results[0].startswith("Each mode is learned on its own logistic clock"), results


def test_search_finds_a_claim_by_its_id_first(server: str, visit) -> None:  # type: ignore[no-untyped-def]
    page = visit().open(server)
    results = _search(page, "logistic-modes")
    assert results[0].startswith("Each mode is learned on its own logistic clock"), results
    first = page.locator(".lmhub-search__results li").first
    assert first.locator(".lmhub-status").count() == 1  # the claim's status


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


# --- the hub's own site: the pages a first-time visitor reads --------------------------------

PAGES = {
    "home": "",
    "claim": "claims/dln-mode-timescales/",
    "gpu-claim": "claims/mutransfer-lr/",
    "question": "questions/edge-of-stability-dynamics/",
    "papers": "papers/",
    "papers-s": "papers/s/",
}
PHONE = {"width": 390, "height": 844}
THEME_OWNED = (
    ".highlight",  # Pygments' token colours in code blocks (e.g. .nv, .na, .c1 at 4.47:1)
    "pre",
)
"""Where remaining axe colour-contrast findings come from the theme, not from the hub."""


@pytest.fixture(scope="module")
def hub_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The hub of this repository, built and served."""
    from site_tools.site.build import build_site

    site = build_site(REPO, site_dir=tmp_path_factory.mktemp("hub") / "site").site_dir
    handler = functools.partial(_Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_hub_pages_on_desktop_and_phone(hub_site: str, visit) -> None:  # type: ignore[no-untyped-def]
    v = visit()
    for name, path in PAGES.items():
        page = v.open(hub_site + path)
        v.screenshot(f"hub-{name}-desktop.png")
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(200)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name}: the page is {overflow}px wider than a phone"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"hub-{name}-phone.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 1000})
    # On a phone, the claim's verdict column is in view without scrolling the table.
    page = v.open(hub_site + PAGES["gpu-claim"])
    page.set_viewport_size(PHONE)
    right = page.eval_on_selector(
        ".lmhub-table--predictions th:nth-child(2)", "th => th.getBoundingClientRect().right"
    )
    assert right <= PHONE["width"], right
    # ... and the claims table turns into cards.
    page = v.open(hub_site + "claims/")
    page.set_viewport_size(PHONE)
    assert page.eval_on_selector("#claims-table thead", "h => getComputedStyle(h).display") == (
        "none"
    )


def test_hub_claim_page_gets_and_reruns_it(hub_site: str, visit) -> None:  # type: ignore[no-untyped-def]
    v = visit()
    page = v.open(hub_site + PAGES["gpu-claim"])
    text = page.inner_text("article")
    for line in (
        "git clone https://github.com/learning-mechanics/hub",
        "cd hub && bash scripts/setup.sh",
        ".venv/bin/lmhub run mutransfer-lr --device cuda",
    ):
        assert line in text
    source = page.get_attribute("a.md-source", "href")
    assert source == "https://github.com/learning-mechanics/hub"
    assert page.locator("[data-md-component=source]").count() == 0  # no call to the forge's API
    hrefs = page.eval_on_selector_all("article a", "links => links.map(a => a.href)")
    assert any(h.endswith("/blob/main/repro/mutransfer_lr.py") for h in hrefs)
    assert any(h.endswith("/tree/main/results/mutransfer-lr") for h in hrefs)
    # A converted claim lists its declared parameters (smoke values beside them) and mutants.
    example = v.open(hub_site + PAGES["claim"])
    headings = example.locator("article h2").all_inner_texts()
    assert {"Parameters", "Mutants", "Rerun it"} <= {h.strip("¶ ").strip() for h in headings}
    assert example.locator(".lmhub-table--params th").all_inner_texts()[:3] == [
        "Parameter",
        "Value",
        "Smoke",
    ]
    text = example.inner_text("article")
    assert "Mutation runs: none recorded yet." in text or "Sensitivity:" in text
    home = v.open(hub_site).inner_text("article")
    assert ".venv/bin/lmhub run <claim-id>" in home and "how to contribute" in home


def _outside_math(text: str) -> str:
    """The parts of an entry's text that are not math, on one line."""

    from site_tools.site.text import _BARE_TEX, _MATH_SPAN

    text = _MATH_SPAN.sub(" ", text)
    text = _BARE_TEX.sub(" ", text)
    return " ".join(text.split())


TEXT_PAGES = ("mutransfer-lr", "diag-linear-sparse-bias", "balancedness-conservation")


@pytest.mark.parametrize("claim_id", TEXT_PAGES)
def test_hub_text_matches_the_yaml(hub_site: str, visit, claim_id: str) -> None:  # type: ignore[no-untyped-def]
    from site_tools.catalog import load_catalog

    claim = load_catalog(REPO).claims[claim_id]
    v = visit()
    page = v.open(hub_site + f"claims/{claim_id}/")
    shown = page.evaluate(
        """() => {
          const copy = document.querySelector("article").cloneNode(true);
          copy.querySelectorAll("math, .lmhub-tex, .lmhub-search-only").forEach(e => e.replaceWith(" "));
          return copy.textContent.replace(/\\s+/g, " ");
        }"""
    )
    fields = [p.description for p in claim.predictions] + [p.source for p in claim.predictions]
    fields += [p.alternative.description for p in claim.predictions if p.alternative]
    fields += [m.why for m in claim.mutants]
    fields += [p.meaning for p in claim.reproduction.parameters.values()]
    for field in fields:
        for piece in _outside_math(field).split("  "):
            # Text between formulas must appear as written (stars and underscores included).
            # Code spans show without their backticks.
            for part in [p.strip().strip("`") for p in piece.split(" ") if p.strip("` ")]:
                assert part in shown, (claim_id, part, field)
    assert "*" in shown or claim_id == "balancedness-conservation"
    assert page.locator("article em").count() <= 40  # no runaway emphasis
    assert page.locator("article .lmhub-math-error").count() == 0


def test_hub_search_ranks_a_title_or_tag_match_first(hub_site: str, visit) -> None:  # type: ignore[no-untyped-def]
    import gzip

    v = visit()
    sizes: dict[str, int] = {}

    def record(response: object) -> None:
        try:
            body = response.body()  # type: ignore[attr-defined]
        except Exception:
            return
        url = response.url  # type: ignore[attr-defined]
        # Pagefind's chunks are compressed already; other files travel gzip-compressed.
        sizes[url] = (
            len(body)
            if url.endswith((".pf_index", ".pf_fragment", ".pf_meta", ".pagefind"))
            else len(gzip.compress(body))
        )

    v.page.on("response", record)
    page = v.open(hub_site)
    view = sum(sizes.values())
    results = _search(page, "edge of stability")
    # Claims whose title says it, or whose tags do, come before any page that only mentions it.
    assert "edge of stability" in results[0].lower(), results
    assert any(
        r.startswith("Full-batch gradient descent drives the sharpness up to 2/η")
        for r in results[:3]
    ), results
    first = page.locator(".lmhub-search__results li").first
    assert first.locator(".lmhub-status").count() == 1  # the claim's status
    for text in results:
        assert "\\\\" not in text and "$" not in text and "<m" not in text
    total = sum(sizes.values())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "search-payload.txt").write_text(
        f"page view {view} bytes, page view plus one query {total} bytes (compressed)\n"
    )
    assert total < 300_000, (view, total)


def _axe(page: object) -> list[dict[str, object]]:
    from pathlib import Path

    script = Path(REPO / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js")
    page.add_script_tag(path=str(script))  # type: ignore[attr-defined]
    return page.evaluate(  # type: ignore[attr-defined,no-any-return]
        """async (owned) => {
          const r = await axe.run(document, {resultTypes: ["violations"]});
          const out = [];
          for (const v of r.violations) {
            if (v.impact !== "critical" && v.impact !== "serious") continue;
            for (const n of v.nodes) {
              const el = document.querySelector(n.target[0]);
              const theme = !!(el && el.closest(owned));
              out.push({rule: v.id, target: n.target.join(" "), theme: theme});
            }
          }
          return out;
        }""",
        ", ".join(THEME_OWNED),
    )


def test_accessibility_of_every_page(
    server: str, hub_site: str, built_site: BuildResult, visit
) -> None:  # type: ignore[no-untyped-def]
    import json

    if not (REPO / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js").is_file():
        pytest.skip("axe-core is not installed (bash scripts/setup.sh --with-browser)")
    urls = [
        server + str(p.relative_to(built_site.site_dir).parent.as_posix() + "/").removeprefix("./")
        for p in sorted(built_site.site_dir.rglob("index.html"))
    ]
    urls += [hub_site + path for path in PAGES.values()]
    counts: dict[str, dict[str, int]] = {"hub": {}, "theme": {}}
    hub_owned = []
    for scheme in ("light", "dark"):
        v = visit(scheme)
        for url in urls:
            v.open(url)
            for finding in _axe(v.page):
                side = "theme" if finding["theme"] else "hub"
                key = str(finding["rule"])
                counts[side][key] = counts[side].get(key, 0) + 1
                if side == "hub":
                    hub_owned.append((scheme, url, finding["target"]))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe.json").write_text(json.dumps(counts, indent=2) + "\n")
    assert hub_owned == [], hub_owned[:20]


def test_every_link_of_the_hub_resolves(hub_site: str) -> None:
    import urllib.request
    from html.parser import HTMLParser
    from urllib.parse import urljoin

    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            for name, value in attrs:
                if value and ((tag == "a" and name == "href") or (tag == "img" and name == "src")):
                    self.found.append(value)

    seen: set[str] = set()
    queue = [hub_site]
    broken = []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        try:
            with urllib.request.urlopen(url) as response:
                body = response.read()
                kind = response.headers.get_content_type()
        except Exception as exc:
            broken.append((url, str(exc)))
            continue
        if kind != "text/html":
            continue
        parser = Links()
        parser.feed(body.decode("utf-8"))
        for href in parser.found:
            target = urljoin(url, href).split("#")[0]
            if target.startswith(hub_site) and target not in seen:
                queue.append(target)
    assert broken == [], broken[:10]
    assert len(seen) > 150


_COMPARE = """async ([a, b, tolerance]) => {
  const load = (png) => new Promise((done) => {
    const image = new Image();
    image.onload = () => done(image);
    image.src = "data:image/png;base64," + png;
  });
  const pixels = (image) => {
    const canvas = new OffscreenCanvas(image.width, image.height);
    const context = canvas.getContext("2d");
    context.drawImage(image, 0, 0);
    return context.getImageData(0, 0, image.width, image.height).data;
  };
  const [x, y] = await Promise.all([load(a), load(b)]);
  if (x.width !== y.width || x.height !== y.height) return -1;
  const [p, q] = [pixels(x), pixels(y)];
  let differ = 0;
  for (let i = 0; i < p.length; i += 4) {
    if (Math.max(Math.abs(p[i] - q[i]), Math.abs(p[i + 1] - q[i + 1]),
                 Math.abs(p[i + 2] - q[i + 2])) > tolerance) differ++;
  }
  return differ;
}"""


def _differing_pixels(browser: object, a: bytes, b: bytes) -> int:
    """Pixels of two same-sized screenshots that differ by more than faint anti-aliasing (the
    same page can be rasterised a few levels apart from one run to the next); -1 when their
    sizes differ."""
    import base64

    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        encoded = [base64.b64encode(shot).decode() for shot in (a, b)]
        return int(page.evaluate(_COMPARE, [*encoded, 16]))
    finally:
        page.close()


def test_lighter_pages_draw_like_the_themes_own(
    built_site: BuildResult, browser: object, tmp_path: Path
) -> None:
    # The same hub built without compaction and shared chrome (site_tools.site.compact and
    # .chrome): every page must draw the same, menus open or closed.
    root = make_site_hub(tmp_path / "hub")
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "\n  - lmhub\n" in text
    plain_plugin = "\n  - lmhub:\n      compact: false\n      shared_chrome: false\n"
    config.write_text(text.replace("\n  - lmhub\n", plain_plugin), encoding="utf-8")
    plain = build_site(root, use_cache=False)
    pages = (
        "",
        "claims/logistic-modes/",
        "questions/nonlinear-solvable/",
        "questions/",
        "papers/s/",
    )
    with _serve(built_site.site_dir) as light, _serve(plain.site_dir) as heavy:
        for url in pages:
            for width in (1280, 420):
                shots = []
                for base in (light, heavy):
                    context = browser.new_context(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
                    page = context.new_page()
                    page.goto(base + url)
                    page.wait_for_load_state("networkidle")
                    # Code differs in how Pygments' white-space spans are anti-aliased.
                    mask = [page.locator("pre")]
                    shots.append(page.screenshot(full_page=True, animations="disabled", mask=mask))
                    if width < 600:
                        page.click("label.md-header__button[for=__drawer]")
                        page.wait_for_timeout(400)
                        shots.append(page.screenshot(animations="disabled", mask=mask))
                    context.close()
                half = len(shots) // 2
                for i, (a, b) in enumerate(zip(shots[:half], shots[half:], strict=True)):
                    differ = _differing_pixels(browser, a, b)
                    if differ:
                        ARTIFACTS.mkdir(parents=True, exist_ok=True)
                        name = f"lighter-{url.replace('/', '-') or 'home'}-{width}-{i}"
                        (ARTIFACTS / f"{name}-light.png").write_bytes(a)
                        (ARTIFACTS / f"{name}-plain.png").write_bytes(b)
                    assert differ == 0, (url, width, i, differ, "see", ARTIFACTS)
