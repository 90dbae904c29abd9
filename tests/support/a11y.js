// The in-page half of tests/support/a11y.py, run with page.evaluate: measures what a
// person sees on the page as it is now. Two entry points, both taking the CSS selector
// of the part of the page to check (null: the whole body):
//   {audit: scope}  text contrast (WCAG 2.1 1.4.3), images' alt, h1s, main, lang
//   {focusBaseline: scope}  remembers each focusable element's unfocused ring, so that
//   {focused: scope} can compare the focused element's ring with it (WCAG 2.4.7).
(request) => {
  const FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";
  const ring = (element) => {
    const style = getComputedStyle(element);
    return {
      outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
      shadow: style.boxShadow,
      drawn: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    };
  };
  const describe = (element) => {
    const id = element.id ? `#${element.id}` : "";
    const classes = [...element.classList].map((name) => `.${name}`).join("");
    return `${element.tagName.toLowerCase()}${id}${classes}`;
  };
  const rendered = (element) =>
    element.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: true });

  if ("focusBaseline" in request) {
    const root = request.focusBaseline ? document.querySelector(request.focusBaseline) : document;
    const focusable = [...root.querySelectorAll(FOCUSABLE)].filter(rendered);
    window.__a11yRings = new Map(focusable.map((element) => [element, ring(element)]));
    return focusable.filter((element) => element.tabIndex >= 0).length;
  }
  if ("focused" in request) {
    const element = document.activeElement;
    if (!element || element === document.body) return null;
    const root = request.focused ? document.querySelector(request.focused) : document.body;
    const before = (window.__a11yRings && window.__a11yRings.get(element)) || {
      outline: "none", shadow: "none", drawn: false,
    };
    const after = ring(element);
    const box = element.getBoundingClientRect();
    element.__a11yStop ??= `${describe(element)}@${Math.random().toString(36).slice(2)}`;
    return {
      identity: element.__a11yStop,
      element: describe(element),
      inScope: root.contains(element),
      before,
      after,
      onScreen: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0,
      visible:
        (after.drawn && after.outline !== before.outline) ||
        (after.shadow !== "none" && after.shadow !== before.shadow),
    };
  }

  const probe = document.createElement("canvas").getContext("2d", { willReadFrequently: true });
  const parse = (text) => {
    const rgb = text.match(/^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/);
    if (rgb) {
      return { r: +rgb[1], g: +rgb[2], b: +rgb[3], a: rgb[4] === undefined ? 1 : +rgb[4] };
    }
    probe.clearRect(0, 0, 1, 1);
    probe.fillStyle = text;
    probe.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = probe.getImageData(0, 0, 1, 1).data;
    return { r, g, b, a: a / 255 };
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const luminance = ({ r, g, b }) => {
    const linear = (channel) => {
      const c = channel / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  };
  const ratio = (one, two) => {
    const [light, dark] = [luminance(one), luminance(two)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  };
  const hex = ({ r, g, b }) =>
    "#" + [r, g, b].map((c) => Math.round(c).toString(16).padStart(2, "0")).join("");

  const canvasColour = (() => {
    const base = parse(getComputedStyle(document.documentElement).backgroundColor);
    if (base.a >= 1) return base;
    const scheme = matchMedia("(prefers-color-scheme: dark)").matches;
    return over(base, scheme ? { r: 18, g: 18, b: 18, a: 1 } : { r: 255, g: 255, b: 255, a: 1 });
  })();

  // The colour behind the element's text, or why it cannot be known.
  const background = (element) => {
    const layers = [];
    let opacity = 1;
    for (let node = element; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage !== "none") return { unknown: "background image" };
      opacity *= parseFloat(style.opacity);
      const colour = parse(style.backgroundColor);
      if (colour.a > 0) layers.push(colour);
      if (colour.a >= 1) break;
    }
    if (opacity < 1) return { unknown: `opacity ${opacity.toFixed(2)}` };
    return { colour: layers.reduceRight((below, layer) => over(layer, below), canvasColour) };
  };

  const large = (style) => {
    const size = parseFloat(style.fontSize);
    return size >= 24 || (size >= 18.66 && parseInt(style.fontWeight, 10) >= 700);
  };

  const onScreen = (node) => {
    const range = document.createRange();
    range.selectNodeContents(node);
    return [...range.getClientRects()].some(
      (box) => box.width > 1 && box.height > 1 && box.right > 0 && box.bottom > 0,
    );
  };
  const clippedAway = (element) => {
    for (let node = element; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      const box = node.getBoundingClientRect();
      const clips = style.overflow !== "visible" || style.clip !== "auto";
      if (clips && (box.width <= 1 || box.height <= 1)) return true;
    }
    return false;
  };

  const root = request.audit ? document.querySelector(request.audit) : document.body;
  const measured = [];
  const skipped = [];
  const measure = (element, colourText, what) => {
    const style = getComputedStyle(element);
    if (element.closest(":disabled, [aria-disabled='true']")) return;
    const behind = background(element);
    if (behind.unknown) {
      skipped.push({ element: describe(element), reason: behind.unknown, what });
      return;
    }
    const text = over(parse(colourText), behind.colour);
    const needed = large(style) ? 3 : 4.5;
    measured.push({
      element: describe(element),
      what,
      colour: hex(text),
      background: hex(behind.colour),
      ratio: Math.round(ratio(text, behind.colour) * 100) / 100,
      needed,
      fontSize: style.fontSize,
      fontWeight: style.fontWeight,
    });
  };

  const seen = new Set();
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!node.textContent.trim() || !element || seen.has(element)) continue;
    if (element.closest("option, script, style, noscript, template")) continue;
    if (!rendered(element) || !onScreen(node) || clippedAway(element)) continue;
    seen.add(element);
    measure(element, getComputedStyle(element).color, node.textContent.trim().slice(0, 60));
  }
  const textTypes = ["text", "search", "email", "url", "tel", "password", "number", ""];
  for (const control of root.querySelectorAll("input, textarea, select")) {
    if (!rendered(control) || clippedAway(control)) continue;
    if (control.tagName === "INPUT" && !textTypes.includes(control.getAttribute("type") || "")) {
      continue;
    }
    if (control.tagName === "SELECT") {
      const chosen = control.selectedOptions[0];
      if (chosen) measure(control, getComputedStyle(control).color, chosen.textContent.trim());
    } else if (control.value) {
      measure(control, getComputedStyle(control).color, control.value.slice(0, 60));
    } else if (control.placeholder) {
      const colour = getComputedStyle(control, "::placeholder").color;
      measure(control, colour, `placeholder: ${control.placeholder}`);
    }
  }

  const images = [...root.querySelectorAll("img, input[type='image']")]
    .filter((image) => rendered(image) && !image.hasAttribute("alt"))
    .map(describe);
  const shown = (selector) => [...document.querySelectorAll(selector)].filter(rendered).length;
  return {
    measured,
    skipped,
    images,
    h1: shown("h1, [role='heading'][aria-level='1']"),
    main: shown("main, [role='main']"),
    lang: document.documentElement.lang,
  };
}
