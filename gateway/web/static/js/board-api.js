// The board's GraphQL operations: who is signed in, the tenant's requisitions, one
// requisition's pipeline metrics and active applications, and its live updates.

import { request, subscribe } from "/static/js/graphql.js";

const PAGE = 100;
const MAX_PAGES = 20;

const CARD_FIELDS = `
  id
  status
  stageEnteredAt
  job { id }
  candidate { id name }
  currentStage { id name }
`;

const ME = `query BoardMe { me { id name role } }`;

const JOBS = `query BoardJobs($after: String) {
  jobs(first: ${PAGE}, after: $after, sort: { field: TITLE, direction: ASC }) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id title clientName location isActive status }
  }
}`;

const PIPELINE = `query BoardPipeline($id: ID!) {
  job(id: $id) {
    id title clientName location isActive status
    pipeline {
      asOf staleAfterDays activeApplications staleCount completedStays
      stages {
        name kind currentCount staleCount completedStays
        medianSeconds averageSeconds longestWaitSeconds
        stage { id }
      }
      bottleneck { name stage { id } }
      staleApplications(first: 100) { stageName waitingSeconds application { id } }
    }
  }
}`;

const APPLICATIONS = `query BoardApplications($id: ID!, $after: String) {
  job(id: $id) {
    applications(first: ${PAGE}, after: $after, filter: { status: [ACTIVE] }) {
      pageInfo { hasNextPage endCursor }
      nodes { ${CARD_FIELDS} }
    }
  }
}`;

const UPDATES = `subscription BoardUpdates($jobId: ID!) {
  pipelineUpdates(jobId: $jobId) {
    kind stage previousStage status at applicationId
    application { ${CARD_FIELDS} }
  }
}`;

export function isAuthError(error) {
  if (!error) return false;
  return (
    error.status === 401 ||
    error.status === 4401 ||
    error.status === 4403 ||
    error.code === "UNAUTHENTICATED"
  );
}

export async function fetchMe(token) {
  return (await request(ME, {}, { token })).me;
}

// Every requisition the caller may see, in pages of 100 (at most 2,000).
export async function fetchJobs(token) {
  const jobs = [];
  let after = null;
  let total = 0;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const { jobs: found } = await request(JOBS, { after }, { token });
    total = found.totalCount;
    jobs.push(...found.nodes);
    if (!found.pageInfo.hasNextPage) break;
    after = found.pageInfo.endCursor;
  }
  return { jobs, total };
}

// The requisition and its pipeline metrics; null when it is not there for this caller.
export async function fetchPipeline(token, jobId, { signal } = {}) {
  return (await request(PIPELINE, { id: jobId }, { token, signal })).job;
}

// Every active application of the requisition, page by page.
export async function fetchApplications(token, jobId, { signal } = {}) {
  const applications = [];
  let after = null;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const { job } = await request(APPLICATIONS, { id: jobId, after }, { token, signal });
    if (!job) return null;
    applications.push(...job.applications.nodes);
    if (!job.applications.pageInfo.hasNextPage) break;
    after = job.applications.pageInfo.endCursor;
  }
  return applications;
}

// Live changes to the requisition's applications; returns the function that stops them.
export function watchPipeline(token, jobId, { next, error, status }) {
  return subscribe(UPDATES, { jobId }, {
    token,
    next: (data) => data && data.pipelineUpdates && next(data.pipelineUpdates),
    error,
    status,
  });
}
