// The conversation of the interview page: an ordered list of messages keyed by their
// sequence, so a message that arrives twice (the stream, the mutation's answer, a
// reload after reconnecting) is shown once.
//
// The interviewer's reply streams into a bubble that assistive technology ignores
// (aria-hidden); when the whole message arrives, that bubble is replaced by the
// finished message, which the role="log" live region then announces as one turn.

const SPEAKERS = { ASSISTANT: "Interviewer", CANDIDATE: "You", RECRUITER: "Recruiting team" };

function bubble(role, content) {
  const item = document.createElement("li");
  item.className = `interview-message interview-message-${(role || "assistant").toLowerCase()}`;
  const speaker = document.createElement("p");
  speaker.className = "interview-speaker";
  speaker.textContent = SPEAKERS[role] || "Interviewer";
  const text = document.createElement("p");
  text.className = "interview-text";
  text.textContent = content;
  item.append(speaker, text);
  return item;
}

export class ChatLog {
  constructor(list) {
    this.list = list;
    this.messages = new Map();
    this.streaming = null;
    this.pending = null;
  }

  has(sequence) {
    return this.messages.has(sequence);
  }

  get isStreaming() {
    return this.streaming !== null;
  }

  // The stored messages in order.
  ordered() {
    return [...this.messages.entries()].sort((a, b) => a[0] - b[0]).map(([, m]) => m);
  }

  lastRole() {
    const all = this.ordered();
    return all.length ? all[all.length - 1].role : null;
  }

  // Interviewer turns the candidate replied to (a run of replies counts once), as the
  // API counts `questionsAnswered`.
  answered() {
    let answered = 0;
    let awaiting = false;
    for (const message of this.ordered()) {
      if (message.role === "CANDIDATE") {
        if (awaiting) answered += 1;
        awaiting = false;
      } else {
        awaiting = true;
      }
    }
    return answered;
  }

  // Show a stored message unless it is there already; true when it was new.
  add({ sequence, role, content }) {
    if (sequence == null || this.messages.has(sequence)) return false;
    this.messages.set(sequence, { sequence, role, content });
    if (this.streaming && this.streaming.sequence === sequence) this.endStream();
    let item;
    if (role === "CANDIDATE" && this.pending && this.pending.content === content.trim()) {
      item = this.pending.item;
      item.classList.remove("interview-message-pending");
      item.removeAttribute("aria-label");
      item.querySelector(".interview-text").textContent = content;
      this.pending = null;
      item.remove();
    } else {
      item = bubble(role, content);
    }
    item.dataset.sequence = String(sequence);
    this.list.insertBefore(item, this.nextAfter(sequence));
    return true;
  }

  nextAfter(sequence) {
    for (const item of this.list.children) {
      const other = item.dataset.sequence;
      if (other === undefined || Number(other) > sequence) return item;
    }
    return null;
  }

  // The candidate's answer, shown while it is being sent.
  addPending(content) {
    this.dropPending();
    const item = bubble("CANDIDATE", content);
    item.classList.add("interview-message-pending");
    this.list.insertBefore(item, this.streaming ? this.streaming.item : null);
    this.pending = { content: content.trim(), item };
    return item;
  }

  dropPending() {
    if (this.pending) this.pending.item.remove();
    this.pending = null;
  }

  // The next tokens of the interviewer's reply with this sequence.
  stream(sequence, delta) {
    if (sequence == null || this.messages.has(sequence)) return false;
    if (!this.streaming || this.streaming.sequence !== sequence) {
      if (this.streaming && this.streaming.sequence > sequence) return false;
      this.endStream();
      const item = bubble("ASSISTANT", "");
      item.classList.add("interview-message-streaming");
      item.setAttribute("aria-hidden", "true");
      this.list.append(item);
      this.streaming = { sequence, item, text: item.querySelector(".interview-text") };
    }
    this.streaming.text.append(document.createTextNode(delta));
    return true;
  }

  endStream() {
    if (this.streaming) this.streaming.item.remove();
    this.streaming = null;
  }
}
