// A small GraphQL client for the gateway's own pages: queries and mutations over
// POST /graphql, subscriptions over graphql-transport-ws on the same origin.
// No dependencies; ES module.
//
//   import { request, subscribe } from "/static/js/graphql.js";
//   const data = await request(QUERY, { id }, { token });
//   const stop = subscribe(SUBSCRIPTION, { id }, { token, next, error, status });

export class GraphQLRequestError extends Error {
  constructor(message, { errors = [], status = 0, retryAfter = null } = {}) {
    super(message);
    this.name = "GraphQLRequestError";
    this.errors = errors;
    this.status = status;
    this.retryAfter = retryAfter;
  }
  get code() {
    const first = this.errors[0];
    return (first && first.extensions && first.extensions.code) || null;
  }
}

const ENDPOINT = "/graphql";

function headersFor(token) {
  const headers = {
    "content-type": "application/json",
    accept: "application/graphql-response+json, application/json",
  };
  if (token) headers.authorization = `Bearer ${token}`;
  return headers;
}

// The `data` of an operation; throws GraphQLRequestError on transport or GraphQL errors.
export async function request(query, variables = {}, { token = null, signal } = {}) {
  let response;
  try {
    response = await fetch(ENDPOINT, {
      method: "POST",
      headers: headersFor(token),
      body: JSON.stringify({ query, variables }),
      credentials: "omit",
      cache: "no-store",
      signal,
    });
  } catch (cause) {
    throw new GraphQLRequestError("The server could not be reached.", { status: 0 });
  }
  let body = null;
  try {
    body = await response.json();
  } catch (cause) {
    body = null;
  }
  const retryAfter = Number(response.headers.get("retry-after")) || null;
  if (!body) {
    throw new GraphQLRequestError(`The server answered ${response.status}.`, {
      status: response.status,
      retryAfter,
    });
  }
  if (body.errors && body.errors.length) {
    throw new GraphQLRequestError(body.errors[0].message || "The request failed.", {
      errors: body.errors,
      status: response.status,
      retryAfter,
    });
  }
  return body.data;
}

function socketUrl() {
  const url = new URL(ENDPOINT, window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

// Subscribe over graphql-transport-ws; reconnects (1 s doubling to 15 s) until stopped.
// Callbacks: next(data), error(GraphQLRequestError) for a refused subscription (no
// reconnect), status("connecting" | "live" | "reconnecting" | "closed").
// Returns a function that stops the subscription.
export function subscribe(query, variables, { token = null, next, error, status } = {}) {
  let socket = null;
  let stopped = false;
  let delay = 1000;
  let timer = null;
  const id = "1";
  const report = (state) => status && status(state);

  function connect() {
    report(socket ? "reconnecting" : "connecting");
    const ws = new WebSocket(socketUrl(), "graphql-transport-ws");
    socket = ws;
    ws.onopen = () => {
      const payload = token ? { authorization: `Bearer ${token}` } : {};
      ws.send(JSON.stringify({ type: "connection_init", payload }));
    };
    ws.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (cause) {
        return;
      }
      switch (message.type) {
        case "connection_ack":
          delay = 1000;
          report("live");
          ws.send(JSON.stringify({ id, type: "subscribe", payload: { query, variables } }));
          break;
        case "ping":
          ws.send(JSON.stringify({ type: "pong" }));
          break;
        case "next":
          if (message.payload && message.payload.errors && message.payload.errors.length) {
            if (error) {
              error(new GraphQLRequestError(message.payload.errors[0].message, {
                errors: message.payload.errors,
              }));
            }
          } else if (next) {
            next(message.payload.data);
          }
          break;
        case "error":
          stopped = true;
          if (error) {
            const errors = Array.isArray(message.payload) ? message.payload : [];
            error(new GraphQLRequestError((errors[0] && errors[0].message) || "Refused.", { errors }));
          }
          ws.close(1000);
          break;
        case "complete":
          stopped = true;
          ws.close(1000);
          break;
        default:
          break;
      }
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      if (stopped || (event.code >= 4400 && event.code < 4500)) {
        stopped = true;
        report("closed");
        if (event.code >= 4400 && event.code < 4500 && error) {
          error(new GraphQLRequestError(event.reason || "The connection was refused.", {
            status: event.code,
          }));
        }
        return;
      }
      report("reconnecting");
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, 15000);
    };
  }

  connect();
  return function stop() {
    stopped = true;
    clearTimeout(timer);
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ id, type: "complete" }));
      socket.close(1000);
    } else if (socket) {
      socket.close();
    }
    report("closed");
  };
}

// The JSON of the page's <script type="application/json" id="page-config"> block.
export function pageConfig() {
  const block = document.getElementById("page-config");
  try {
    return block ? JSON.parse(block.textContent) : {};
  } catch (cause) {
    return {};
  }
}
