// Numbers as the board shows them: durations in human units ("3.2 days", "5 h",
// "12 min") and counts with their noun ("1 application", "3 applications").

function oneDecimal(value) {
  return value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
}

// "12 min", "5 h", "3.2 days"; null for a missing value.
export function humanDuration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return null;
  const value = Math.max(0, seconds);
  if (value < 60) return "under a minute";
  if (value < 3600) return `${Math.max(1, Math.round(value / 60))} min`;
  if (value < 86400) {
    const hours = oneDecimal(value / 3600);
    return hours >= 24 ? "1 day" : `${hours} h`;
  }
  const days = oneDecimal(value / 86400);
  return `${days} ${days === 1 ? "day" : "days"}`;
}

export function plural(count, noun, nouns = `${noun}s`) {
  return `${count} ${count === 1 ? noun : nouns}`;
}

// Seconds from an ISO time to `now` (a Date); null without a time.
export function secondsSince(iso, now = new Date()) {
  if (!iso) return null;
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return null;
  return Math.max(0, (now.getTime() - then) / 1000);
}
