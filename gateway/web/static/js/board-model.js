// One requisition's board as data: its stages in pipeline order with their metrics, and
// the active applications in each. Live updates change the cards at once; the metrics
// (medians, stale counts, the bottleneck) come from the API when it is asked again.
//
//   const board = new BoardModel(job, applications);
//   const change = board.apply(update.application);   // {card, from, to} or null
//   board.count(stage.key)                             // cards in the stage now

const UNSTAGED = "stage:none";

export function stageKey(id, name) {
  if (id) return `id:${id}`;
  return name ? `name:${name}` : UNSTAGED;
}

function cardOf(application) {
  const stage = application.currentStage;
  return {
    id: application.id,
    name: (application.candidate && application.candidate.name) || "Unnamed candidate",
    stageKey: stageKey(stage && stage.id, stage && stage.name),
    stageName: (stage && stage.name) || "Not in a stage",
    enteredAt: application.stageEnteredAt || null,
  };
}

export class BoardModel {
  constructor(job, applications) {
    this.job = job;
    this.stages = [];
    this.cards = new Map();
    this.setMetrics(job.pipeline);
    for (const application of applications) {
      const card = cardOf(application);
      this.cards.set(card.id, card);
      this.ensureStage(card);
    }
  }

  // Stages from the metrics, in pipeline order; stages only cards know of stay, after them.
  setMetrics(pipeline) {
    this.pipeline = pipeline;
    const known = new Map(this.stages.map((stage) => [stage.key, stage]));
    const ordered = pipeline.stages.map((metrics) => {
      const key = stageKey(metrics.stage && metrics.stage.id, metrics.name);
      return { key, name: metrics.name, kind: metrics.kind, metrics };
    });
    const listed = new Set(ordered.map((stage) => stage.key));
    for (const [key, stage] of known) {
      if (!listed.has(key) && this.count(key) > 0) ordered.push({ ...stage, metrics: null });
    }
    this.stages = ordered;
    this.stale = new Set(
      pipeline.staleApplications
        .map((item) => item.application && item.application.id)
        .filter(Boolean),
    );
    const bottleneck = pipeline.bottleneck;
    this.bottleneckKey = bottleneck
      ? stageKey(bottleneck.stage && bottleneck.stage.id, bottleneck.name)
      : null;
  }

  ensureStage(card) {
    if (this.stages.some((stage) => stage.key === card.stageKey)) return false;
    this.stages.push({ key: card.stageKey, name: card.stageName, kind: null, metrics: null });
    return true;
  }

  stageKeys() {
    return this.stages.map((stage) => stage.key).join("|");
  }

  count(key) {
    let count = 0;
    for (const card of this.cards.values()) if (card.stageKey === key) count += 1;
    return count;
  }

  cardsIn(key) {
    return [...this.cards.values()]
      .filter((card) => card.stageKey === key)
      .sort(byLongestWaiting);
  }

  // The application as an update delivers it: moved, added, or gone from the board
  // (no longer active or in another requisition). Null when nothing on the board changed.
  apply(application, applicationId) {
    const id = (application && application.id) || applicationId;
    const before = this.cards.get(id) || null;
    const stays =
      application &&
      application.status === "ACTIVE" &&
      (!application.job || application.job.id === this.job.id);
    if (!stays) {
      if (!before) return null;
      this.cards.delete(id);
      this.stale.delete(id);
      return { card: before, from: before.stageKey, to: null };
    }
    const card = cardOf(application);
    if (before && before.stageKey === card.stageKey && before.enteredAt === card.enteredAt &&
        before.name === card.name) {
      return null;
    }
    if (before && before.stageKey !== card.stageKey) this.stale.delete(id);
    this.cards.set(id, card);
    const added = this.ensureStage(card);
    return { card, from: before ? before.stageKey : null, to: card.stageKey, addedStage: added };
  }

  stageName(key) {
    const stage = this.stages.find((one) => one.key === key);
    return stage ? stage.name : "Not in a stage";
  }
}

export function byLongestWaiting(a, b) {
  const left = a.enteredAt ? Date.parse(a.enteredAt) : Infinity;
  const right = b.enteredAt ? Date.parse(b.enteredAt) : Infinity;
  if (left !== right) return left - right;
  return a.name.localeCompare(b.name);
}
