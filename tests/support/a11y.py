"""An accessibility check of a page as it is shown, with nothing but the browser.

    await assert_accessible(page)                      # the whole page
    await assert_accessible(page, scope=".tg-bar", structure=False)   # one part only

What it checks, each as WCAG 2.1 states it:

- text contrast (1.4.3): every visible text node's element, and the text and
  placeholders of text fields, against the colour behind it (the first opaque
  background among its ancestors, with translucent ones blended in): at least 4.5:1,
  3:1 for large text (24px, or 18.66px bold). Text over a background image or inside
  something translucent cannot be measured this way and is listed as skipped; disabled
  controls are exempt.
- names (4.1.2): every button, link, text field, select, image and progress bar has an
  accessible name in Playwright's accessibility snapshot; every ``img`` has ``alt``.
- structure (1.3.1, 3.1.1): exactly one rendered ``h1``, one ``main`` landmark and a
  ``lang`` on ``html`` (``structure=False`` checks ``lang`` only).
- focus (2.4.7): Tab from the top through every tab stop in the scope; each must
  change its outline or box-shadow when focused.

The measuring is done in the page by ``a11y.js`` beside this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHECKER = "\n".join(
    line
    for line in (Path(__file__).with_name("a11y.js")).read_text().splitlines()
    if not line.startswith("//")
)
NAMED_ROLES = (
    "button|link|textbox|searchbox|combobox|listbox|checkbox|radio|switch|slider"
    "|spinbutton|progressbar|img|menuitem|tab"
)
UNNAMED = re.compile(rf"^\s*- ({NAMED_ROLES})(?: \[[^\]]*\])*(?::.*)?$")
MOST_TAB_STOPS = 60


@dataclass
class Audit:
    """What one check of a page found; ``problems`` lists what fails."""

    measured: list[dict[str, Any]]
    skipped: list[dict[str, Any]]
    unnamed: list[str]
    images_without_alt: list[str]
    h1: int
    main: int
    lang: str
    focusable: int = 0
    tab_stops: list[dict[str, Any]] = field(default_factory=list)
    structure: bool = True

    @property
    def low_contrast(self) -> list[dict[str, Any]]:
        return [entry for entry in self.measured if entry["ratio"] < entry["needed"]]

    @property
    def unfocusable_rings(self) -> list[dict[str, Any]]:
        return [stop for stop in self.tab_stops if not (stop["visible"] and stop["onScreen"])]

    def problems(self) -> list[str]:
        found = [
            f"contrast {entry['ratio']}:1 < {entry['needed']}:1 for {entry['element']} "
            f"({entry['colour']} on {entry['background']}, {entry['fontSize']} "
            f"weight {entry['fontWeight']}): {entry['what']!r}"
            for entry in self.low_contrast
        ]
        found += [f"no accessible name: {line.strip()}" for line in self.unnamed]
        found += [f"an image without alt: {image}" for image in self.images_without_alt]
        if not self.lang:
            found.append("html has no lang")
        if self.structure and self.h1 != 1:
            found.append(f"{self.h1} rendered h1 elements, not one")
        if self.structure and self.main != 1:
            found.append(f"{self.main} rendered main landmarks, not one")
        if self.focusable and not self.tab_stops:
            found.append("Tab reaches none of the page's controls")
        found += [
            f"no visible focus on {stop['element']}: outline {stop['after']['outline']}, "
            f"box-shadow {stop['after']['shadow']} (unfocused: {stop['before']['outline']}, "
            f"{stop['before']['shadow']}; on screen: {stop['onScreen']})"
            for stop in self.unfocusable_rings
        ]
        return found


async def tab_through(page: Any, scope: str | None) -> tuple[int, list[dict[str, Any]]]:
    """How many elements in ``scope`` take focus by Tab, and each tab stop there with
    its focus ring before and after. The whole page is walked Tab by Tab from wherever
    the focus was, round to the first stop seen twice; a scope from a click on its
    corner (which moves the point Tab starts from) until the focus leaves it."""
    await page.evaluate("() => document.activeElement && document.activeElement.blur()")
    focusable: int = await page.evaluate(CHECKER, {"focusBaseline": scope})
    if not focusable:
        return 0, []
    if scope is not None:
        await page.locator(scope).click(position={"x": 1, "y": 1})
    stops: list[dict[str, Any]] = []
    seen: set[str] = set()
    entered = False
    for _ in range(MOST_TAB_STOPS):
        await page.keyboard.press("Tab")
        stop = await page.evaluate(CHECKER, {"focused": scope})
        if stop is None:
            if entered and scope is not None:
                break
            continue
        if stop["identity"] in seen:
            break
        seen.add(stop["identity"])
        if stop["inScope"]:
            entered = True
            stops.append(stop)
        elif entered and scope is not None:
            break
    await page.evaluate("() => document.activeElement && document.activeElement.blur()")
    return focusable, stops


async def audit(page: Any, *, scope: str | None = None, structure: bool = True) -> Audit:
    """Checks the page as it is now (after its animations and transitions end)."""
    await page.evaluate(
        """() => Promise.race([
          Promise.all(document.getAnimations()
            .filter((a) => a.effect.getComputedTiming().iterations !== Infinity)
            .map((a) => a.finished.catch(() => null))),
          new Promise((done) => setTimeout(done, 2000)),
        ])"""
    )
    found = await page.evaluate(CHECKER, {"audit": scope})
    tree = await page.locator(scope or "body").aria_snapshot()
    focusable, stops = await tab_through(page, scope)
    return Audit(
        measured=found["measured"],
        skipped=found["skipped"],
        unnamed=[line for line in tree.splitlines() if UNNAMED.match(line)],
        images_without_alt=found["images"],
        h1=found["h1"],
        main=found["main"],
        lang=found["lang"],
        focusable=focusable,
        tab_stops=stops,
        structure=structure,
    )


async def assert_accessible(
    page: Any, *, scope: str | None = None, structure: bool = True
) -> Audit:
    checked = await audit(page, scope=scope, structure=structure)
    assert checked.measured, "no text was measured: is the page shown?"
    problems = checked.problems()
    assert not problems, f"{page.url}:\n" + "\n".join(problems)
    return checked
