// What the interview page says to the candidate: the closed states, the refusals of the
// public interview operations, and dates in the candidate's own time zone and language.

const CLOSED = {
  NOT_FOUND: {
    title: "We couldn't find this interview",
    text: () =>
      "This link doesn't open an interview. Check that you copied the whole link from " +
      "your invitation email, or ask your recruiter to send you a new one.",
  },
  EXPIRED: {
    title: "This interview link has expired",
    text: (expiresAt) =>
      (expiresAt ? `The invitation was open until ${formatMoment(expiresAt)}. ` : "") +
      "Please ask your recruiter to send you a new link.",
  },
  CANCELLED: {
    title: "This interview was cancelled",
    text: () =>
      "The recruiting team cancelled this interview, so there is nothing more to do here. " +
      "If you think this is a mistake, please contact your recruiter.",
  },
  ABANDONED: {
    title: "This interview was closed",
    text: () =>
      "It was closed after a long pause without answers. Please ask your recruiter for a " +
      "new link if you'd like to take it.",
  },
};

// The heading and text of a state in which the link opens nothing; null for open ones.
export function closedState(code, expiresAt = null) {
  const state = CLOSED[code];
  return state ? { title: state.title, text: state.text(expiresAt) } : null;
}

export function thanks(name, company) {
  return {
    title: name ? `Thank you, ${name}!` : "Thank you!",
    text:
      `Your interview is complete and your answers are with the recruiting team` +
      `${company ? ` at ${company}` : ""}. They will be in touch about the next steps. ` +
      "You can close this page now.",
  };
}

const RETRY_LATER = "Something went wrong on our side. Please try again in a moment.";

// What to tell the candidate about a failed operation: a PublicInterviewError
// ({code, message}) or a GraphQLRequestError (transport, rate limit, server error).
export function failureText(failure) {
  if (!failure) return RETRY_LATER;
  if (failure.name === "GraphQLRequestError") {
    if (failure.status === 0) {
      return "We couldn't reach the server. Check your internet connection and try again.";
    }
    if (failure.code === "RATE_LIMITED" || failure.status === 429) {
      const wait = failure.retryAfter ? ` about ${failure.retryAfter} seconds` : " a moment";
      return `That was a lot of requests in a short time. Please wait${wait} and try again.`;
    }
    return RETRY_LATER;
  }
  return failure.message || RETRY_LATER;
}

function locale() {
  return navigator.languages && navigator.languages.length ? navigator.languages[0] : undefined;
}

// "Tuesday 8 December 2026 at 15:38" in the browser's language and time zone.
export function formatMoment(iso) {
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) return "";
  try {
    return new Intl.DateTimeFormat(locale(), { dateStyle: "full", timeStyle: "short" }).format(moment);
  } catch (cause) {
    return moment.toLocaleString();
  }
}

// "in 3 days", "in 5 hours", "in 20 minutes".
export function fromNow(iso, now = Date.now()) {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  if (!Number.isFinite(seconds)) return "";
  const units = [
    ["day", 86400],
    ["hour", 3600],
    ["minute", 60],
  ];
  const format = new Intl.RelativeTimeFormat(locale(), { numeric: "auto" });
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  }
  return format.format(Math.round(seconds / 60), "minute");
}

export function expiryText(iso) {
  if (!iso) return "";
  if (new Date(iso).getTime() <= Date.now()) return `This link expired on ${formatMoment(iso)}.`;
  return `Open until ${formatMoment(iso)} (${fromNow(iso)}).`;
}

export function progressText(answered, total) {
  return `${answered} of ${total} answered`;
}

export function countText(used, limit) {
  const left = limit - used;
  if (left < 0) {
    return `${-left} character${left === -1 ? "" : "s"} over the limit of ${limit}`;
  }
  return `${used} / ${limit} characters`;
}
