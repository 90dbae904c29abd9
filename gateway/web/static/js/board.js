// /board: the live pipeline board. Sign in with a pasted token, pick a requisition
// (its id goes in the URL hash, never the token), then watch its funnel and stage
// columns change as `pipelineUpdates` arrive; the metrics are asked again, debounced.

import {
  fetchApplications,
  fetchJobs,
  fetchMe,
  fetchPipeline,
  isAuthError,
  watchPipeline,
} from "/static/js/board-api.js";
import { refreshCards, refreshCounts, renderColumns, showChange } from "/static/js/board-columns.js";
import { el } from "/static/js/board-dom.js";
import { plural } from "/static/js/board-format.js";
import { renderFunnel, summaryText } from "/static/js/board-funnel.js";
import { BoardModel } from "/static/js/board-model.js";
import { cleanToken, forgetToken, storeToken, storedToken } from "/static/js/board-session.js";

const METRICS_DEBOUNCE_MS = 800;
const METRICS_MAX_WAIT_MS = 4000;
const CLOCK_MS = 60000;

const EXPIRED =
  "Your token was not accepted: it may have expired or been revoked. Paste a new one to continue.";
const LIVE_TEXT = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  closed: "Not connected",
};

const $ = (id) => document.getElementById(id);

const state = {
  token: null,
  jobs: [],
  board: null,
  view: null,
};

// --- signing in and out -------------------------------------------------------------

function showSignIn(message = "") {
  $("board-app").hidden = true;
  $("board-session").hidden = true;
  $("board-signin").hidden = false;
  const error = $("board-signin-error");
  error.textContent = message;
  error.hidden = !message;
  $("board-signin-submit").disabled = false;
  $("board-token").focus();
}

function signOut(message = "") {
  closeView();
  state.token = null;
  state.jobs = [];
  forgetToken();
  $("board-token").value = "";
  showSignIn(message);
}

function failed(error, where) {
  if (isAuthError(error)) {
    signOut(EXPIRED);
    return;
  }
  showError(`${where}: ${error.message}`);
}

function showError(message) {
  const box = $("board-error");
  box.textContent = message;
  box.hidden = !message;
}

async function signIn(token) {
  state.token = token;
  let me;
  try {
    me = await fetchMe(token);
  } catch (error) {
    if (isAuthError(error)) {
      signOut(EXPIRED);
    } else {
      state.token = null;
      showSignIn(`Could not sign in: ${error.message}`);
    }
    return;
  }
  storeToken(token);
  $("board-signin").hidden = true;
  $("board-app").hidden = false;
  $("board-session").hidden = false;
  $("board-who").textContent = `${me.name} (${me.role.toLowerCase()})`;
  showError("");
  await loadJobs();
  await route();
}

// --- picking a requisition ------------------------------------------------------------

function statusText(job) {
  return job.status.toLowerCase().replace("_", " ");
}

function jobLabel(job) {
  const where = [job.clientName, job.location].filter(Boolean).join(" · ");
  const closed = job.isActive ? "" : ` (${statusText(job)})`;
  return `${job.title}${where ? ` — ${where}` : ""}${closed}`;
}

function chosenJobId() {
  const match = /(?:^|&)job=([^&]+)/.exec(window.location.hash.replace(/^#/, ""));
  return match ? decodeURIComponent(match[1]) : null;
}

function renderJobOptions() {
  const select = $("board-job");
  const chosen = chosenJobId();
  const words = $("board-job-search").value.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const matches = (job) => {
    const text = [job.title, job.clientName, job.location].filter(Boolean).join(" ").toLowerCase();
    return words.every((word) => text.includes(word));
  };
  const shown = state.jobs.filter((job) => job.id === chosen || matches(job));
  const group = (label, jobs) =>
    jobs.length
      ? el("optgroup", { label }, jobs.map((job) => el("option", { value: job.id }, jobLabel(job))))
      : null;
  select.replaceChildren(
    el("option", { value: "" }, shown.length ? "Choose a requisition…" : "No requisition matches"),
    group("Active", shown.filter((job) => job.isActive)),
    group("Inactive", shown.filter((job) => !job.isActive)),
  );
  select.value = chosen && shown.some((job) => job.id === chosen) ? chosen : "";
  const matching = state.jobs.filter(matches).length;
  $("board-job-count").textContent = words.length
    ? `${matching} of ${plural(state.jobs.length, "requisition")} match.`
    : `${plural(state.jobs.length, "requisition")}, active first.`;
}

async function loadJobs() {
  try {
    const { jobs } = await fetchJobs(state.token);
    state.jobs = jobs.sort((a, b) => Number(b.isActive) - Number(a.isActive));
  } catch (error) {
    failed(error, "The requisitions could not be loaded");
    return;
  }
  renderJobOptions();
}

// --- one requisition's board ------------------------------------------------------------

function closeView() {
  const view = state.view;
  if (!view) return;
  view.closed = true;
  if (view.stop) view.stop();
  window.clearTimeout(view.metricsTimer);
  window.clearInterval(view.clock);
  if (view.abort) view.abort.abort();
  state.view = null;
  state.board = null;
  setLive(null);
}

function setLive(status) {
  const live = $("board-live");
  live.hidden = !status;
  live.dataset.state = status || "idle";
  $("board-live-text").textContent = LIVE_TEXT[status] || "";
}

function announce(text) {
  $("board-announcer").textContent = text;
}

function renderBoard(view) {
  const board = view.board;
  const job = board.job;
  $("board-title").textContent = job.title;
  $("board-job-meta").textContent = [job.clientName, job.location, statusText(job)]
    .filter(Boolean)
    .join(" · ");
  $("board-summary").textContent = summaryText(board);
  renderFunnel($("board-funnel"), board);
  renderColumns($("board-columns"), board);
  view.stageKeys = board.stageKeys();
}

function renderNumbers(view) {
  const board = view.board;
  $("board-summary").textContent = summaryText(board);
  renderFunnel($("board-funnel"), board);
  if (board.stageKeys() !== view.stageKeys) {
    renderColumns($("board-columns"), board);
    view.stageKeys = board.stageKeys();
  } else {
    refreshCounts($("board-columns"), board);
    refreshCards($("board-columns"), board);
  }
}

async function loadBoard(view) {
  const [job, applications] = await Promise.all([
    fetchPipeline(state.token, view.jobId, { signal: view.abort.signal }),
    fetchApplications(state.token, view.jobId, { signal: view.abort.signal }),
  ]);
  if (!job || !applications) return null;
  return new BoardModel(job, applications);
}

async function refreshMetrics(view) {
  view.metricsTimer = null;
  view.firstPending = null;
  try {
    const job = await fetchPipeline(state.token, view.jobId);
    if (view.closed || !job) return;
    view.board.setMetrics(job.pipeline);
    renderNumbers(view);
  } catch (error) {
    if (!view.closed) failed(error, "The metrics could not be refreshed");
  }
}

function scheduleMetrics(view) {
  const now = Date.now();
  view.firstPending = view.firstPending || now;
  window.clearTimeout(view.metricsTimer);
  const wait = Math.min(METRICS_DEBOUNCE_MS, Math.max(0, view.firstPending + METRICS_MAX_WAIT_MS - now));
  view.metricsTimer = window.setTimeout(() => refreshMetrics(view), wait);
}

function onUpdate(view, update) {
  if (view.closed || !view.board) return;
  const change = view.board.apply(update.application, update.applicationId);
  if (change) {
    if (change.addedStage) renderNumbers(view);
    showChange($("board-columns"), view.board, change);
    $("board-summary").textContent = summaryText(view.board);
    renderFunnel($("board-funnel"), view.board);
    const name = change.card.name;
    if (change.to === null) announce(`${name} left the board (${(update.status || "closed").toLowerCase()}).`);
    else if (change.from === null) announce(`${name} joined ${view.board.stageName(change.to)}.`);
    else if (change.from !== change.to) {
      announce(`${name} moved from ${view.board.stageName(change.from)} to ${view.board.stageName(change.to)}.`);
    }
  }
  scheduleMetrics(view);
}

async function resync(view) {
  try {
    const board = await loadBoard(view);
    if (view.closed || !board) return;
    view.board = board;
    state.board = board;
    renderBoard(view);
  } catch (error) {
    if (!view.closed) failed(error, "The board could not be refreshed");
  }
}

function subscribeView(view) {
  let wasLive = false;
  view.stop = watchPipeline(state.token, view.jobId, {
    next: (update) => onUpdate(view, update),
    error: (error) => {
      if (view.closed) return;
      if (isAuthError(error)) signOut(EXPIRED);
      else showError(`Live updates stopped: ${error.message}`);
    },
    status: (status) => {
      if (view.closed) return;
      setLive(status);
      if (status === "live" && wasLive) resync(view);
      if (status === "live") wasLive = true;
    },
  });
}

async function openJob(jobId) {
  closeView();
  showError("");
  const view = { jobId, closed: false, abort: new AbortController(), board: null };
  state.view = view;
  $("board-empty").hidden = true;
  $("board-view").hidden = true;
  $("board-view").setAttribute("aria-busy", "true");
  let board;
  try {
    board = await loadBoard(view);
  } catch (error) {
    if (!view.closed) failed(error, "The requisition could not be loaded");
    return;
  }
  if (view.closed) return;
  if (!board) {
    showError("That requisition was not found, or your account cannot see it.");
    return;
  }
  view.board = board;
  state.board = board;
  renderBoard(view);
  $("board-view").hidden = false;
  $("board-view").removeAttribute("aria-busy");
  subscribeView(view);
  view.clock = window.setInterval(() => refreshCards($("board-columns"), view.board), CLOCK_MS);
}

async function route() {
  if (!state.token) return;
  const jobId = chosenJobId();
  renderJobOptions();
  if (!jobId) {
    closeView();
    $("board-title").textContent = "Pipeline board";
    $("board-view").hidden = true;
    $("board-empty").hidden = false;
    return;
  }
  if (state.view && state.view.jobId === jobId) return;
  await openJob(jobId);
}

// --- start ---------------------------------------------------------------------------------

function start() {
  $("board-signin-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const token = cleanToken($("board-token").value);
    if (!token) {
      showSignIn("Paste your access token first.");
      return;
    }
    $("board-signin-submit").disabled = true;
    signIn(token);
  });
  $("board-sign-out").addEventListener("click", () => signOut());
  $("board-job").addEventListener("change", (event) => {
    const id = event.target.value;
    window.location.hash = id ? `job=${encodeURIComponent(id)}` : "";
  });
  $("board-job-search").addEventListener("input", renderJobOptions);
  window.addEventListener("hashchange", route);
  const token = storedToken();
  if (token) signIn(token);
  else showSignIn();
}

start();
