// The funnel: one bar per stage, in pipeline order, as long as its share of the largest
// stage, with the count, the median time in the stage, the stale applications and the
// bottleneck mark. Drawn with CSS bars; a visually hidden table carries every number
// for screen readers (the bars themselves are hidden from them).

import { el } from "/static/js/board-dom.js";
import { humanDuration, plural } from "/static/js/board-format.js";

function medianText(metrics) {
  const median = metrics ? humanDuration(metrics.medianSeconds) : null;
  return median ? `median ${median}` : "no median yet";
}

function bar(board, stage, widest) {
  const count = board.count(stage.key);
  const metrics = stage.metrics;
  const stale = metrics ? metrics.staleCount : 0;
  const isBottleneck = board.bottleneckKey === stage.key;
  const share = widest > 0 ? (count / widest) * 100 : 0;
  return el(
    "li",
    {
      class: `board-bar-row${isBottleneck ? " is-bottleneck" : ""}${stale ? " has-stale" : ""}`,
      dataset: { stageKey: stage.key, stageName: stage.name },
    },
    el(
      "div",
      { class: "board-bar-label" },
      el("span", { class: "board-bar-name" }, stage.name),
      isBottleneck ? el("span", { class: "board-badge board-badge-bottleneck" }, "Bottleneck") : null,
    ),
    el(
      "div",
      { class: "board-bar-track" },
      el("div", { class: "board-bar", style: { width: `${share}%` } }),
    ),
    el(
      "div",
      { class: "board-bar-facts" },
      el("span", { class: "board-bar-count" }, String(count)),
      el("span", { class: "board-bar-median" }, medianText(metrics)),
      stale ? el("span", { class: "board-badge board-badge-stale" }, `${stale} stale`) : null,
    ),
  );
}

function table(board) {
  const rows = board.stages.map((stage) => {
    const metrics = stage.metrics;
    const cell = (value) => el("td", {}, value);
    return el(
      "tr",
      { dataset: { stageName: stage.name } },
      el("th", { scope: "row" }, stage.name),
      cell(String(board.count(stage.key))),
      cell(String(metrics ? metrics.staleCount : 0)),
      cell(humanDuration(metrics && metrics.medianSeconds) || "none yet"),
      cell(humanDuration(metrics && metrics.averageSeconds) || "none yet"),
      cell(humanDuration(metrics && metrics.longestWaitSeconds) || "nobody waiting"),
      cell(String(metrics ? metrics.completedStays : 0)),
      cell(board.bottleneckKey === stage.key ? "Yes" : "No"),
    );
  });
  const head = [
    "Stage",
    "In stage now",
    "Stale",
    "Median time in stage",
    "Average time in stage",
    "Longest current wait",
    "Completed stays",
    "Bottleneck",
  ].map((name) => el("th", { scope: "col" }, name));
  const numbers = el(
    "table",
    { id: "board-funnel-table" },
    el("caption", {}, `Funnel of ${board.job.title}: applications per stage`),
    el("thead", {}, el("tr", {}, head)),
    el("tbody", {}, rows),
  );
  return el("div", { class: "visually-hidden" }, numbers);
}

export function summaryText(board) {
  const pipeline = board.pipeline;
  const active = board.cards.size;
  const parts = [plural(active, "active application")];
  if (pipeline.staleCount) {
    parts.push(`${pipeline.staleCount} stale (over ${plural(pipeline.staleAfterDays, "day")} in a stage)`);
  }
  const bottleneck = board.bottleneckKey ? board.stageName(board.bottleneckKey) : null;
  parts.push(bottleneck ? `bottleneck: ${bottleneck}` : "no bottleneck yet (too few completed stays)");
  return parts.join(" · ");
}

export function renderFunnel(container, board) {
  const widest = Math.max(0, ...board.stages.map((stage) => board.count(stage.key)));
  const chart = el(
    "ol",
    { class: "board-bars", "aria-hidden": "true" },
    board.stages.map((stage) => bar(board, stage, widest)),
  );
  container.replaceChildren(chart, table(board));
}
