// The candidate's interview page (/interview/<token>): welcome, the chat with the AI
// interviewer (its replies streamed as they are written), asking for a person, and the
// states in which the link opens nothing (expired, cancelled, closed, unknown).
//
// The token is read from the address and sent only in GraphQL variables. The chat
// subscription is opened before any turn is asked for, so the reply streams in; each
// mutation's answer carries the whole reply too, which fills in whatever the stream
// missed (or everything, when there is no stream). After a reconnect the page reloads
// the interview; messages are keyed by sequence, so none is shown twice.

import { pageConfig } from "/static/js/graphql.js";
import * as api from "/static/js/interview-api.js";
import { ChatLog } from "/static/js/interview-chat.js";
import * as words from "/static/js/interview-words.js";

const config = pageConfig();
const MAX_CHARS = config.maxMessageChars || 4000;
const MAX_NOTE_CHARS = config.maxNoteChars || 1000;
const LIVE_WAIT_MS = 3000;
const CLOSED = ["EXPIRED", "CANCELLED", "ABANDONED", "NOT_FOUND"];

const $ = (id) => document.getElementById(id);
const el = {
  loading: $("interview-loading"),
  company: $("interview-company"),
  title: $("interview-title"),
  position: $("interview-position"),
  expiry: $("interview-expiry"),
  notice: $("interview-notice"),
  noticeTitle: $("notice-title"),
  noticeText: $("notice-text"),
  noticeRetry: $("notice-retry"),
  welcome: $("interview-welcome"),
  welcomeTitle: $("welcome-title"),
  welcomeIntro: $("welcome-intro"),
  welcomeError: $("welcome-error"),
  start: $("interview-start"),
  chat: $("interview-chat"),
  log: $("interview-log"),
  activity: $("interview-activity"),
  progress: $("interview-progress-bar"),
  progressText: $("interview-progress-text"),
  resume: $("interview-resume"),
  resumeText: $("interview-resume-text"),
  resumeButton: $("interview-resume-button"),
  composer: $("interview-composer"),
  answer: $("interview-answer"),
  answerCount: $("interview-answer-count"),
  answerError: $("interview-answer-error"),
  answerRetry: $("interview-answer-retry"),
  send: $("interview-send"),
  complete: $("interview-complete"),
  completeTitle: $("complete-title"),
  completeText: $("complete-text"),
  human: $("interview-human"),
  humanOffer: $("human-offer"),
  humanOfferText: $("human-offer-text"),
  humanOpen: $("human-open"),
  humanForm: $("human-form"),
  humanNote: $("human-note"),
  humanNoteCount: $("human-note-count"),
  humanError: $("human-error"),
  humanCancel: $("human-cancel"),
  humanSend: $("human-send"),
  humanDone: $("human-done"),
};

const chat = new ChatLog(el.log);
const state = {
  token: tokenFromPath(),
  interview: null,
  busy: false,
  ended: false,
  stopStream: null,
  live: null,
  turnFailure: null,
};

function tokenFromPath() {
  const parts = window.location.pathname.split("/").filter(Boolean);
  try {
    return decodeURIComponent(parts[1] || "");
  } catch (cause) {
    return "";
  }
}

const reducedMotion = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;
const characters = (text) => [...text.trim()].length;

function show(element, visible = true) {
  element.hidden = !visible;
}

function focus(element) {
  element.focus({ preventScroll: false });
}

// -- the interview's header -------------------------------------------------------------

function showHeader(interview) {
  el.company.textContent = interview.company;
  el.title.textContent = interview.position;
  el.position.textContent = `Interview with ${interview.company}`;
  show(el.position);
  const expiry = interview.status === "SCHEDULED" || interview.status === "IN_PROGRESS"
    ? words.expiryText(interview.expiresAt)
    : "";
  el.expiry.textContent = "";
  if (expiry) {
    const time = document.createElement("time");
    time.dateTime = interview.expiresAt;
    time.textContent = expiry;
    el.expiry.append(time);
  }
  show(el.expiry, Boolean(expiry));
  document.title = `Interview: ${interview.position} at ${interview.company}`;
}

// -- states ---------------------------------------------------------------------------

function hideAll() {
  for (const section of [el.loading, el.notice, el.welcome, el.chat, el.human]) show(section, false);
}

function showNotice(title, text, { retry = null, moveFocus = false } = {}) {
  hideAll();
  el.noticeTitle.textContent = title;
  el.noticeText.textContent = text;
  el.noticeRetry.onclick = retry;
  show(el.noticeRetry, Boolean(retry));
  show(el.notice);
  document.title = title;
  if (moveFocus) focus(el.noticeTitle);
}

function close(code, { moveFocus = true } = {}) {
  state.ended = true;
  stopStream();
  const closed = words.closedState(code, state.interview && state.interview.expiresAt);
  if (state.interview) showHeader({ ...state.interview, status: code });
  showNotice(closed.title, closed.text, { moveFocus });
}

function showWelcome(interview) {
  hideAll();
  el.welcomeTitle.textContent = `Welcome, ${interview.candidateName}`;
  el.welcomeIntro.textContent =
    `This is a short written interview for the ${interview.position} role at ` +
    `${interview.company}. There are ${interview.questionsTotal} questions; take as long ` +
    "as you need.";
  show(el.welcome);
  showHuman(interview);
}

function showChat(interview) {
  hideAll();
  show(el.chat);
  showHuman(interview);
  for (const message of interview.messages) chat.add(message);
  showProgress(interview.questionsTotal);
  updateCount();
}

function finish({ moveFocus = true } = {}) {
  if (state.ended && !el.complete.hidden) return;
  state.ended = true;
  stopStream();
  setBusy(false);
  const interview = state.interview || {};
  const done = words.thanks(interview.candidateName, interview.company);
  el.completeTitle.textContent = done.title;
  el.completeText.textContent = done.text;
  show(el.composer, false);
  show(el.resume, false);
  show(el.complete);
  showProgress(interview.questionsTotal, interview.questionsTotal);
  showHuman({ ...interview, status: "COMPLETED" });
  el.expiry.hidden = true;
  document.title = "Interview complete";
  if (moveFocus) focus(el.completeTitle);
}

// Apply the interview as the API last described it.
function apply(interview, { moveFocus = true } = {}) {
  state.interview = interview;
  showHeader(interview);
  if (CLOSED.includes(interview.status)) {
    close(interview.status, { moveFocus });
    return;
  }
  if (interview.status === "SCHEDULED") {
    showWelcome(interview);
    connect();
    return;
  }
  if (el.chat.hidden) showChat(interview);
  else for (const message of interview.messages) chat.add(message);
  showProgress(interview.questionsTotal);
  if (interview.humanRequested) showHumanDone(interview);
  if (interview.status === "COMPLETED") {
    finish({ moveFocus });
    return;
  }
  connect();
  offerResume();
}

// An interview in progress whose last word is not the interviewer's (its turn failed,
// or the page was closed before it came): offer to ask for it again, saying why when a
// request just failed (`state.turnFailure`).
function offerResume() {
  const waiting = !state.busy && !state.ended && chat.lastRole() !== "ASSISTANT";
  show(el.resume, waiting);
  if (!waiting) return;
  el.resumeText.textContent = state.turnFailure ||
    (chat.lastRole() === null
      ? "The interviewer hasn't asked the first question yet."
      : "The interviewer hasn't answered your last message yet.");
}

function showProgress(total, answered = Math.min(chat.answered(), total)) {
  el.progress.max = total;
  el.progress.value = answered;
  el.progressText.textContent = words.progressText(answered, total);
}

function setBusy(busy) {
  state.busy = busy;
  el.send.disabled = busy || state.ended;
  el.resumeButton.disabled = busy;
  el.activity.textContent = busy ? "The interviewer is writing…" : "";
  el.log.setAttribute("aria-busy", busy ? "true" : "false");
}

// -- the live chat --------------------------------------------------------------------

function stopStream() {
  if (state.stopStream) state.stopStream();
  state.stopStream = null;
  state.live = null;
}

// Open the chat subscription; resolves once it is live, or when it could not connect
// (or after a short wait), so that a page without a stream still works from the
// mutations' answers.
function connect() {
  if (state.live) return state.live;
  state.live = new Promise((resolve) => {
    let settled = false;
    let wasLive = false;
    const settle = () => {
      if (!settled) {
        settled = true;
        resolve();
      }
    };
    setTimeout(settle, LIVE_WAIT_MS);
    state.stopStream = api.watch(state.token, {
      next: onEvent,
      status: (status) => {
        if (status === "live") {
          if (wasLive) resync();
          wasLive = true;
          settle();
        } else if (status === "closed" || status === "reconnecting") {
          settle();
        }
      },
      error: (failure) => {
        settle();
        state.stopStream = null;
        if (failure.name === "InterviewRefused" && CLOSED.includes(failure.code)) {
          close(failure.code);
        }
      },
    });
  });
  return state.live;
}

function nearBottom() {
  const doc = document.documentElement;
  return window.innerHeight + window.scrollY >= doc.scrollHeight - 160;
}

function keepInView(follow) {
  const last = el.log.lastElementChild;
  if (follow && last) {
    last.scrollIntoView({ block: "nearest", behavior: reducedMotion() ? "auto" : "smooth" });
  }
}

function onEvent(event) {
  if (state.ended && event.kind !== "HUMAN_REQUESTED") return;
  const follow = nearBottom();
  switch (event.kind) {
    case "DELTA":
      if (event.delta && chat.stream(event.sequence, event.delta)) {
        el.activity.textContent = "The interviewer is writing…";
        show(el.resume, false);
      }
      break;
    case "MESSAGE":
      if (chat.add(event)) {
        if (!state.busy) el.activity.textContent = "";
        if (state.interview) showProgress(state.interview.questionsTotal);
      }
      break;
    case "STATUS":
      if (event.status === "COMPLETED") resync({ moveFocus: true });
      else if (CLOSED.includes(event.status)) close(event.status);
      break;
    case "HUMAN_REQUESTED":
      if (state.interview) showHumanDone(state.interview);
      break;
    default:
      break;
  }
  keepInView(follow);
}

// The interview as stored now: after the stream reconnects (what was said meanwhile),
// when it completes (the whole transcript), after a failed request.
async function resync({ moveFocus = false } = {}) {
  try {
    apply(await api.load(state.token), { moveFocus });
  } catch (failure) {
    if (failure.name === "InterviewRefused") close(failure.code);
  }
}

// -- starting, answering --------------------------------------------------------------

async function askForTurn() {
  state.turnFailure = null;
  setBusy(true);
  show(el.resume, false);
  await connect();
  let started = false;
  try {
    apply(await api.start(state.token));
    started = true;
  } catch (failure) {
    chat.endStream();
    if (failure.name === "InterviewRefused" && CLOSED.includes(failure.code)) {
      close(failure.code);
    } else if (failure.name === "InterviewRefused" && failure.code === "COMPLETED") {
      await resync();
    } else {
      state.turnFailure = words.failureText(failure);
    }
  } finally {
    setBusy(false);
    offerResume();
  }
  return started;
}

async function startInterview() {
  el.start.disabled = true;
  el.start.textContent = "Starting…";
  el.welcomeError.textContent = "";
  showChat({ ...state.interview, messages: [] });
  focus(el.answer);
  const started = await askForTurn();
  el.start.disabled = false;
  el.start.textContent = "Start the interview";
  if (started && !state.ended) focus(el.answer);
}

function showAnswerError(text, { retry = false } = {}) {
  el.answerError.textContent = text;
  show(el.answerRetry, retry);
  el.answer.setAttribute("aria-invalid", text && !retry ? "true" : "false");
}

function restoreAnswer(text) {
  const typed = el.answer.value.trim();
  el.answer.value = typed ? `${text}\n\n${el.answer.value}` : text;
  updateCount();
}

async function sendAnswer() {
  if (state.ended) return;
  if (state.busy) {
    showAnswerError("Please wait until the interviewer has finished writing.");
    return;
  }
  const text = el.answer.value.trim();
  if (!text) {
    showAnswerError("Write your answer first, then send it.");
    return;
  }
  if (characters(text) > MAX_CHARS) {
    showAnswerError(
      `Your answer is ${characters(text)} characters long; please keep it to ${MAX_CHARS}.`,
    );
    return;
  }
  showAnswerError("");
  const follow = nearBottom();
  chat.addPending(text);
  keepInView(follow);
  el.answer.value = "";
  updateCount();
  state.turnFailure = null;
  setBusy(true);
  await connect();
  try {
    const result = await api.send(state.token, text);
    chat.add(result.candidateMessage);
    chat.add(result.interviewerMessage);
    apply(result.interview);
    if (result.completed) finish();
  } catch (failure) {
    await answerFailed(failure, text);
  } finally {
    setBusy(false);
    offerResume();
  }
}

async function answerFailed(failure, text) {
  chat.endStream();
  const code = failure.name === "InterviewRefused" ? failure.code : null;
  if (CLOSED.includes(code)) {
    close(code);
    return;
  }
  if (code === "COMPLETED") {
    chat.dropPending();
    await resync();
    return;
  }
  if (code === "INTERVIEWER_UNAVAILABLE") {
    state.turnFailure = words.failureText(failure);
    chat.dropPending();
    await resync();
    return;
  }
  if (code === "TOO_MANY_MESSAGES") {
    chat.dropPending();
    showAnswerError(words.failureText(failure));
    el.answer.disabled = true;
    return;
  }
  if (code === null) {
    await resync();
    if (chat.pending === null || !chat.pending.item.isConnected) return;
  }
  chat.dropPending();
  restoreAnswer(text);
  const retry = code === null || failure.retryable || code === "BUSY";
  showAnswerError(words.failureText(failure), { retry });
}

function updateCount() {
  const used = characters(el.answer.value);
  el.answerCount.textContent = words.countText(used, MAX_CHARS);
  el.answerCount.classList.toggle("error", used > MAX_CHARS);
  if (used <= MAX_CHARS && el.answer.getAttribute("aria-invalid") === "true") showAnswerError("");
}

// -- asking for a person --------------------------------------------------------------

function showHuman(interview) {
  show(el.human);
  el.humanOfferText.textContent =
    "You can ask the recruiting team to get in touch with you." +
    (interview.status === "COMPLETED" ? "" : " The interview stays open, so you can carry on here too.");
  if (interview.humanRequested) showHumanDone(interview);
}

function showHumanDone(interview) {
  show(el.humanOffer, false);
  show(el.humanForm, false);
  el.humanDone.textContent =
    `We've let the recruiting team at ${interview.company} know that you'd like to talk ` +
    "to a person; they will contact you." +
    (state.ended ? "" : " You can carry on with the interview in the meantime, or stop here.");
  show(el.humanDone);
}

function openHumanForm(open) {
  show(el.humanForm, open);
  el.humanOpen.setAttribute("aria-expanded", open ? "true" : "false");
  el.humanError.textContent = "";
  if (open) focus(el.humanNote);
  else focus(el.humanOpen);
}

async function sendHumanRequest() {
  const note = el.humanNote.value.trim();
  if (characters(note) > MAX_NOTE_CHARS) {
    el.humanError.textContent = `Please keep your note to ${MAX_NOTE_CHARS} characters.`;
    return;
  }
  el.humanSend.disabled = true;
  el.humanError.textContent = "";
  try {
    const interview = await api.requestHuman(state.token, note);
    state.interview = { ...state.interview, humanRequested: true };
    showHumanDone(interview);
    focus(el.humanDone);
  } catch (failure) {
    if (failure.name === "InterviewRefused" && CLOSED.includes(failure.code)) close(failure.code);
    else el.humanError.textContent = words.failureText(failure);
  } finally {
    el.humanSend.disabled = false;
  }
}

function updateNoteCount() {
  const used = characters(el.humanNote.value);
  el.humanNoteCount.textContent = words.countText(used, MAX_NOTE_CHARS);
  el.humanNoteCount.classList.toggle("error", used > MAX_NOTE_CHARS);
}

// -- wiring ---------------------------------------------------------------------------

function wire() {
  el.start.addEventListener("click", startInterview);
  el.resumeButton.addEventListener("click", askForTurn);
  el.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    sendAnswer();
  });
  el.answerRetry.addEventListener("click", sendAnswer);
  el.answer.addEventListener("input", updateCount);
  el.answer.addEventListener("keydown", (event) => {
    const plainEnter = event.key === "Enter" && !event.shiftKey && !event.altKey &&
      !event.ctrlKey && !event.metaKey && !event.isComposing;
    if (plainEnter) {
      event.preventDefault();
      sendAnswer();
    }
  });
  el.humanOpen.addEventListener("click", () => openHumanForm(true));
  el.humanCancel.addEventListener("click", () => openHumanForm(false));
  el.humanForm.addEventListener("submit", (event) => {
    event.preventDefault();
    sendHumanRequest();
  });
  el.humanNote.addEventListener("input", updateNoteCount);
  el.humanForm.addEventListener("keydown", (event) => {
    if (event.key === "Escape") openHumanForm(false);
  });
  updateCount();
  updateNoteCount();
}

async function boot() {
  hideAll();
  show(el.loading);
  try {
    apply(await api.load(state.token), { moveFocus: false });
  } catch (failure) {
    if (failure.name === "InterviewRefused") {
      close(failure.code, { moveFocus: false });
    } else {
      showNotice("We couldn't open your interview", words.failureText(failure), { retry: boot });
    }
  }
}

wire();
boot();
