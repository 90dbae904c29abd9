// The stage columns: one list of application cards per stage (candidate, time in the
// stage, a stale mark). A live move carries the card to its new column with a short
// slide (none when the person prefers reduced motion); the counts change with it.

import { byLongestWaiting } from "/static/js/board-model.js";
import { el, prefersReducedMotion } from "/static/js/board-dom.js";
import { humanDuration, secondsSince } from "/static/js/board-format.js";

const SLIDE_MS = 320;
const ARRIVED_MS = 2400;

function timeText(card) {
  const waited = humanDuration(secondsSince(card.enteredAt));
  return waited ? `${waited} in stage` : "time in stage unknown";
}

function cardElement(board, card) {
  const stale = board.stale.has(card.id);
  return el(
    "li",
    {
      class: `board-card${stale ? " is-stale" : ""}`,
      dataset: { applicationId: card.id, enteredAt: card.enteredAt || "" },
    },
    el("span", { class: "board-card-name" }, card.name),
    el(
      "span",
      { class: "board-card-meta" },
      el("span", { class: "board-card-time" }, timeText(card)),
      stale ? el("span", { class: "board-badge board-badge-stale" }, "Stale") : null,
    ),
  );
}

function columnElement(board, stage, index) {
  const headingId = `board-column-${index}`;
  const cards = board.cardsIn(stage.key);
  const isBottleneck = board.bottleneckKey === stage.key;
  return el(
    "section",
    {
      class: `board-column${isBottleneck ? " is-bottleneck" : ""}`,
      "aria-labelledby": headingId,
      dataset: { stageKey: stage.key, stageName: stage.name },
    },
    el(
      "h3",
      { class: "board-column-head", id: headingId },
      el("span", { class: "board-column-name" }, stage.name),
      " ",
      el("span", { class: "board-column-count", "aria-label": `${cards.length} applications` },
        String(cards.length)),
    ),
    el("ul", { class: "board-cards" }, cards.map((card) => cardElement(board, card))),
    el("p", { class: "board-column-empty muted", hidden: cards.length > 0 }, "No one here now."),
  );
}

export function renderColumns(container, board) {
  container.replaceChildren(
    ...board.stages.map((stage, index) => columnElement(board, stage, index)),
  );
}

function columnOf(container, key) {
  return [...container.querySelectorAll(".board-column")].find(
    (column) => column.dataset.stageKey === key,
  );
}

function cardNode(container, id) {
  return [...container.querySelectorAll(".board-card")].find(
    (node) => node.dataset.applicationId === id,
  );
}

export function refreshCounts(container, board) {
  for (const column of container.querySelectorAll(".board-column")) {
    const count = board.count(column.dataset.stageKey);
    const badge = column.querySelector(".board-column-count");
    badge.textContent = String(count);
    badge.setAttribute("aria-label", `${count} applications`);
    column.querySelector(".board-column-empty").hidden = count > 0;
  }
}

// Card times and stale marks as they are now (after new metrics, or as time passes).
export function refreshCards(container, board) {
  for (const node of container.querySelectorAll(".board-card")) {
    const card = board.cards.get(node.dataset.applicationId);
    if (!card) continue;
    const fresh = cardElement(board, card);
    node.className = fresh.className + (node.classList.contains("is-arrived") ? " is-arrived" : "");
    node.replaceChildren(...fresh.childNodes);
  }
}

function slide(node, from) {
  if (prefersReducedMotion() || typeof node.animate !== "function") return;
  const to = node.getBoundingClientRect();
  const dx = from.left - to.left;
  const dy = from.top - to.top;
  if (!dx && !dy) return;
  node.animate(
    [{ transform: `translate(${dx}px, ${dy}px)` }, { transform: "translate(0, 0)" }],
    { duration: SLIDE_MS, easing: "cubic-bezier(0.2, 0.8, 0.2, 1)" },
  );
}

function markArrived(node) {
  node.classList.add("is-arrived");
  window.setTimeout(() => node.classList.remove("is-arrived"), ARRIVED_MS);
}

// Show one change from BoardModel.apply: a card leaves, arrives or moves.
export function showChange(container, board, change) {
  const existing = cardNode(container, change.card.id);
  if (change.to === null) {
    if (existing) existing.remove();
    refreshCounts(container, board);
    return;
  }
  const column = columnOf(container, change.to);
  if (!column) return;
  const list = column.querySelector(".board-cards");
  const from = existing ? existing.getBoundingClientRect() : null;
  const node = cardElement(board, change.card);
  if (existing) existing.remove();
  const siblings = [...list.children]
    .map((child) => ({ child, card: board.cards.get(child.dataset.applicationId) }))
    .filter((entry) => entry.card);
  const next = siblings.find((entry) => byLongestWaiting(change.card, entry.card) < 0);
  list.insertBefore(node, next ? next.child : null);
  refreshCounts(container, board);
  if (from && change.from !== change.to) slide(node, from);
  if (change.from !== change.to) markArrived(node);
}
