"""Screenshot the asset graph of `generated_example/` as the Dagster UI draws it.

    .venv/bin/python scripts/screenshot_asset_graph.py [--out docs/asset-graph.png]

Starts `dagster-webserver -m example_project.definitions` from `generated_example/` on a free
port of 127.0.0.1 (with a throwaway DAGSTER_HOME, telemetry off, and dummy Fivetran credentials
unless FIVETRAN_API_KEY/FIVETRAN_API_SECRET are set: loading the code location needs them set,
not valid), opens the global asset lineage page (`/asset-groups`) in headless Chromium, expands
the `salesforce` and `analytics` groups (the others stay collapsed boxes with their asset
count), hides the side panels, zooms the graph to fit the window, and saves a PNG. The server and
the browser are shut down on the way out, also on failure or Ctrl-C.

Needs, besides the project itself (`pip install -e '.[test]'`):

* dagster-webserver, the same version as dagster:
  `.venv/bin/pip install "dagster-webserver==$(.venv/bin/python -c 'import dagster; print(dagster.__version__)')"`
* Playwright's Python package: `.venv/bin/pip install playwright`
* a Chromium: the system one (Debian/Ubuntu: `apt-get install -y chromium`), found on PATH as
  `chromium`, `chromium-browser` or `google-chrome`, or given with `--chromium PATH`; without
  one, Playwright's own (`.venv/bin/playwright install chromium`) is used.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, sync_playwright

REPO = Path(__file__).resolve().parent.parent
PROJECT = REPO / "generated_example"
MODULE = "example_project.definitions"
DEFAULT_OUT = REPO / "docs" / "asset-graph.png"
DEFAULT_EXPAND = ("salesforce", "analytics")
# The project's own asset downstream of a Fivetran table, and its group.
DOWNSTREAM_ASSET, DOWNSTREAM_GROUP = "active_accounts", "analytics"
SERVER_TIMEOUT_S = 120.0
PAGE_TIMEOUT_MS = 120_000
# Graph node facets (the rows drawn in each asset node); see AssetNodeFacet in dagster's UI.
FACETS = ('"owner"', '"kind-tag"')
ZOOM_CONTROLS_W = 64.0  # the zoom buttons and slider on the graph's right edge


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def find_chromium(explicit: str | None) -> str | None:
    if explicit:
        return explicit
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None  # Playwright's bundled browser, if installed


def webserver_executable() -> str:
    exe = Path(sys.executable).with_name("dagster-webserver")
    if exe.exists():
        return str(exe)
    found = shutil.which("dagster-webserver")
    if not found:
        sys.exit(
            "dagster-webserver not found: install it next to dagster, e.g.\n"
            "  .venv/bin/pip install \"dagster-webserver==$(.venv/bin/python -c 'import dagster; "
            "print(dagster.__version__)')\""
        )
    return found


@contextlib.contextmanager
def webserver(port: int, log_path: Path) -> Iterator[str]:
    """Run dagster-webserver for the example project; yield its base URL; stop it and its children."""
    with tempfile.TemporaryDirectory(prefix="dagster-home-") as home:
        Path(home, "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
        env = dict(os.environ, DAGSTER_HOME=home)
        env.setdefault("FIVETRAN_API_KEY", "screenshot")
        env.setdefault("FIVETRAN_API_SECRET", "screenshot")
        cmd = [webserver_executable(), "-m", MODULE, "-h", "127.0.0.1", "-p", str(port)]
        with log_path.open("wb") as log:
            # A session of its own, so that the code server it spawns goes down with it.
            proc = subprocess.Popen(
                cmd,
                cwd=PROJECT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(proc, f"{base}/server_info", log_path)
            yield base
        finally:
            stop(proc)


def wait_until_up(proc: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"dagster-webserver exited with {proc.returncode}:\n{log_path.read_text()[-4000:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"dagster-webserver did not answer {url} within {SERVER_TIMEOUT_S:.0f}s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group, then SIGKILL what is left of it."""
    for sig, wait_s in ((signal.SIGTERM, 20.0), (signal.SIGKILL, 10.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            continue
        # The leader is gone; its children (the code server) may still be shutting down.
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and group_alive(proc.pid):
            time.sleep(0.2)
        if not group_alive(proc.pid):
            return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def icon_button(page: Page, icon: str) -> Locator:
    """A button drawn with one of the UI's icons (the icon's aria-label is its name)."""
    return page.locator("button").filter(has=page.locator(f'[aria-label="{icon}"]'))


def best_effort(what: str, action: Callable[[], object]) -> None:
    """Cosmetic steps: a UI change in dagster must not cost the whole screenshot."""
    try:
        action()
    except Exception as e:  # playwright raises its own Error/TimeoutError
        print(f"note: could not {what}: {str(e).splitlines()[0]}", file=sys.stderr)


def group_ids(page: Page, base: str) -> list[str]:
    """The UI's ids of all asset groups, read from the URL after "Expand all groups".

    Their form (`global@global:<group>`, or `<repo>@<location>:<group>` behind a feature flag)
    is the UI's business; asking it keeps this script independent of it.
    """
    page.goto(f"{base}/asset-groups")
    page.get_by_text("salesforce", exact=True).first.wait_for()
    icon_button(page, "settings").last.click()
    page.get_by_role("menuitem", name="Expand all groups").click()
    page.wait_for_url(re.compile(r"[?&]expanded="))
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    return [i for i in query["expanded"][0].split(",") if i]


def viewport_transform(page: Page) -> tuple[float, float, float]:
    """(scale, x, y) of the graph viewport, from the CSS matrix its content is drawn with."""
    style = page.locator("[data-svg-viewport] > div").first.get_attribute("style") or ""
    m = re.search(r"matrix\(([^)]*)\)", style)
    if not m:
        raise RuntimeError(f"no transform on the graph viewport: {style!r}")
    a, _, _, _, e, f = (float(v) for v in m.group(1).split(","))
    return a, e, f


def overlay_bottom(page: Page, viewport_top: float) -> float:
    """How far down from the graph viewport's top the toolbar drawn over it reaches."""
    bottom = 0.0
    for part in (page.locator(".CodeMirror"), page.get_by_role("button", name="Materialize all")):
        try:
            box = part.first.bounding_box(timeout=2000)
        except PlaywrightError:
            continue
        if box and box["y"] < viewport_top + 150:  # part of a toolbar at the top
            bottom = max(bottom, box["y"] + box["height"] - viewport_top)
    return bottom


def zoom_to_fit(page: Page, margin: float = 32.0, max_scale: float = 1.0) -> None:
    """Zoom and pan so that everything drawn in the graph fits the viewport, centred.

    The UI's own auto-centring fits the width only; this drives its wheel handlers (Ctrl+wheel
    zooms, wheel pans), checking the transform after each step. The UI draws only the nodes in
    view, so it first fits the whole layout (the <svg>, padding included), then, everything being
    drawn, what is drawn.
    """
    viewport = page.locator("[data-svg-viewport]").first
    svg = page.locator("[data-svg-viewport] > div > svg").first
    box = viewport.bounding_box()
    width, height = svg.get_attribute("width"), svg.get_attribute("height")
    if not box or not width or not height:
        raise RuntimeError("graph viewport or its size not found")
    # The search bar is drawn over the graph's top, the zoom controls over its right edge.
    top = overlay_bottom(page, box["y"])
    area = (box["width"] - ZOOM_CONTROLS_W - 2 * margin, box["height"] - top - 2 * margin)
    center = (box["x"] + margin + area[0] / 2, box["y"] + top + margin + area[1] / 2)
    page.mouse.move(*center)
    fit(page, (0.0, 0.0, float(width), float(height)), area, (margin, top + margin), max_scale)
    page.wait_for_timeout(500)
    drawn = svg.evaluate(
        "svg => { const b = svg.getBBox(); return [b.x, b.y, b.width, b.height]; }"
    )
    if drawn and drawn[2] > 0 and drawn[3] > 0:
        x, y, w, h = (float(v) for v in drawn)
        fit(page, (x, y, w, h), area, (margin, top + margin), max_scale)


def fit(
    page: Page,
    region: tuple[float, float, float, float],
    area: tuple[float, float],
    offset: tuple[float, float],
    max_scale: float,
) -> None:
    """Show `region` (graph coordinates) centred in `area` at `offset` of the viewport.

    The mouse must be over the viewport (wheel events go where it is).
    """
    rx, ry, rw, rh = region
    target = min(max_scale, area[0] / rw, area[1] / rh)
    for _ in range(20):
        scale, _, _ = viewport_transform(page)
        if abs(scale - target) / target < 0.005:
            break
        # targetScale = scale * (1 - deltaY * speed); speed 0.002 when |deltaY| > 30, else 0.01.
        delta = (1 - target / scale) / 0.002
        if abs(delta) <= 30:
            delta = (1 - target / scale) / 0.01
        page.keyboard.down("Control")
        page.mouse.wheel(0, delta)
        page.keyboard.up("Control")
        page.wait_for_timeout(100)
    for _ in range(20):
        scale, x, y = viewport_transform(page)
        want_x = offset[0] + (area[0] - rw * scale) / 2 - rx * scale
        want_y = offset[1] + (area[1] - rh * scale) / 2 - ry * scale
        if abs(want_x - x) < 2 and abs(want_y - y) < 2:
            break
        # A plain wheel pans by -delta * 0.7.
        page.mouse.wheel(-(want_x - x) / 0.7, -(want_y - y) / 0.7)
        page.wait_for_timeout(100)


def screenshot(
    base: str,
    out: Path,
    *,
    chromium: str | None,
    width: int,
    height: int,
    device_scale_factor: float,
    expand: tuple[str, ...],
) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True)
        try:
            context = browser.new_context(
                viewport={"width": width, "height": height},
                device_scale_factor=device_scale_factor,
            )
            context.set_default_timeout(PAGE_TIMEOUT_MS)
            # UI preferences live in localStorage: no "join the community" dialog, left-to-right
            # layout, and compact asset nodes (owner and kinds only).
            context.add_init_script(
                "window.localStorage.setItem('communityNux', '1');"
                "window.localStorage.setItem('asset-graph-direction', '\"horizontal\"');"
                f"window.localStorage.setItem('asset-node-facets', '[{','.join(FACETS)}]');"
            )
            page = context.new_page()
            all_ids = group_ids(page, base)
            names = {i.rsplit(":", 1)[-1]: i for i in all_ids}
            unknown = sorted(set(expand) - {"all", *names})
            if unknown:
                raise SystemExit(f"no asset group {unknown}; the groups are {sorted(names)}")
            ids = all_ids if "all" in expand else [names[g] for g in expand]
            page.goto(f"{base}/asset-groups?{urllib.parse.urlencode({'expanded': ','.join(ids)})}")
            page.locator("[data-svg-viewport] svg").first.wait_for()
            if names.get(DOWNSTREAM_GROUP) in ids:
                page.get_by_text(DOWNSTREAM_ASSET, exact=True).first.wait_for()
            best_effort(
                "hide the navigation",
                lambda: page.get_by_role("button", name="Hide navigation").click(timeout=5000),
            )
            best_effort(
                "hide the group list",
                lambda: icon_button(page, "panel_show_right").last.click(timeout=5000),
            )
            page.wait_for_timeout(1000)  # layout after the panels went away
            best_effort("zoom the graph to fit", lambda: zoom_to_fit(page))
            if names.get(DOWNSTREAM_GROUP) in ids:
                # Hovering a node draws its edges highlighted: the one from salesforce/account.
                best_effort(
                    f"hover {DOWNSTREAM_ASSET}",
                    lambda: page.get_by_text(DOWNSTREAM_ASSET, exact=True).first.hover(
                        timeout=5000
                    ),
                )
            page.wait_for_timeout(1500)  # asset status queries and edge drawing settle
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out))
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="PNG to write")
    parser.add_argument("--chromium", help="Chromium executable (default: found on PATH)")
    parser.add_argument("--width", type=int, default=1600)
    parser.add_argument("--height", type=int, default=1000)
    parser.add_argument(
        "--device-scale-factor", type=float, default=1.0, help="2 for a HiDPI picture"
    )
    parser.add_argument(
        "--expand",
        default=",".join(DEFAULT_EXPAND),
        help="asset groups drawn open, comma-separated, or 'all' (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    # SIGTERM unwinds like Ctrl-C does, so that the server and the browser are stopped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    out: Path = args.out.resolve()
    expand = tuple(g.strip() for g in args.expand.split(",") if g.strip())

    with tempfile.TemporaryDirectory(prefix="asset-graph-shot-") as tmp:
        log_path = Path(tmp, "webserver.log")
        try:
            with webserver(free_port(), log_path) as base:
                screenshot(
                    base,
                    out,
                    chromium=find_chromium(args.chromium),
                    width=args.width,
                    height=args.height,
                    device_scale_factor=args.device_scale_factor,
                    expand=expand,
                )
        except Exception:
            if log_path.exists():
                print(
                    f"--- dagster-webserver log ---\n{log_path.read_text()[-4000:]}",
                    file=sys.stderr,
                )
            raise
    print(f"wrote {out.relative_to(REPO) if out.is_relative_to(REPO) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
