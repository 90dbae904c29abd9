// The public interview operations, for the candidate's page. No login: the token of the
// invitation link is the credential and travels in the variables only.
//
//   const interview = await load(token);          // or throws InterviewRefused
//   const interview = await start(token);
//   const { interview, candidateMessage, interviewerMessage, completed } = await send(token, text);
//   const stop = watch(token, { next, error, status });

import { request, subscribe } from "/static/js/graphql.js";

const INTERVIEW_FIELDS = `
  candidateName position company status expiresAt humanRequested
  questionsTotal questionsAnswered
  messages { sequence role content }`;
const ERROR_FIELDS = "... on PublicInterviewError { code message retryable }";

const LOAD = `query PublicInterview($token: String!) {
  publicInterview(token: $token) {
    __typename ... on PublicInterview { ${INTERVIEW_FIELDS} } ${ERROR_FIELDS} } }`;

const START = `mutation PublicInterviewStart($token: String!) {
  publicInterviewStart(input: {token: $token}) {
    __typename ... on PublicInterviewStartSuccess { interview { ${INTERVIEW_FIELDS} } }
    ${ERROR_FIELDS} } }`;

const SEND = `mutation PublicInterviewSendMessage($token: String!, $content: String!) {
  publicInterviewSendMessage(input: {token: $token, content: $content}) {
    __typename
    ... on PublicInterviewSendMessageSuccess {
      completed
      candidateMessage { sequence role content }
      interviewerMessage { sequence role content }
      interview { ${INTERVIEW_FIELDS} } }
    ${ERROR_FIELDS} } }`;

const REQUEST_HUMAN = `mutation PublicInterviewRequestHuman($token: String!, $note: String) {
  publicInterviewRequestHuman(input: {token: $token, note: $note}) {
    __typename ... on PublicInterviewRequestHumanSuccess { interview { ${INTERVIEW_FIELDS} } }
    ${ERROR_FIELDS} } }`;

const CHAT = `subscription PublicInterviewChat($token: String!) {
  publicInterviewChat(token: $token) { kind sequence role content delta status at } }`;

// A refusal of the API (PublicInterviewError): `code`, a `message` for the candidate.
export class InterviewRefused extends Error {
  constructor({ code, message, retryable }) {
    super(message);
    this.name = "InterviewRefused";
    this.code = code;
    this.retryable = Boolean(retryable);
  }
}

function unwrap(result) {
  if (!result || result.__typename === "PublicInterviewError") {
    throw new InterviewRefused(result || { code: "NOT_FOUND", message: "" });
  }
  return result;
}

export async function load(token) {
  return unwrap((await request(LOAD, { token })).publicInterview);
}

export async function start(token) {
  return unwrap((await request(START, { token })).publicInterviewStart).interview;
}

export async function send(token, content) {
  return unwrap((await request(SEND, { token, content })).publicInterviewSendMessage);
}

export async function requestHuman(token, note) {
  const data = await request(REQUEST_HUMAN, { token, note: note || null });
  return unwrap(data.publicInterviewRequestHuman).interview;
}

// The live chat; `error` gets an InterviewRefused when the link is refused
// (NOT_FOUND, EXPIRED, ABANDONED, CANCELLED), a GraphQLRequestError otherwise.
export function watch(token, { next, error, status }) {
  return subscribe(CHAT, { token }, {
    next: (data) => data && data.publicInterviewChat && next(data.publicInterviewChat),
    status,
    error: (failure) => {
      const code = failure.code;
      if (code && ["NOT_FOUND", "EXPIRED", "ABANDONED", "CANCELLED"].includes(code)) {
        error(new InterviewRefused({ code, message: failure.message }));
      } else {
        error(failure);
      }
    },
  });
}
