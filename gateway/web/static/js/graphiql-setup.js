// Starts GraphiQL on /graphql from the page config (gateway/web/graphiql.py): the
// example query, the headers template and, in development, the demo admin's token.
//
// Queries and mutations go over POST, subscriptions over the WebSocket at the same
// path. GraphiQL's fetcher sends the headers editor's JSON as the graphql-ws
// connection_init payload, so {"Authorization": "Bearer <jwt>"} authenticates the
// socket as resolvers/ws.py expects. A header still holding the template's
// placeholder is left out, so the schema loads before a token is pasted.

import { pageConfig } from "/static/js/graphql.js";

const config = pageConfig();
const { React, ReactDOM, GraphiQL, GraphiQLPluginExplorer } = window;
const endpoint = config.endpoint || "/graphql";

function socketUrl(path) {
  const url = new URL(path, window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

function isPlaceholder(value) {
  return typeof value === "string" && /<[^>]*>/.test(value);
}

function withoutPlaceholders(headers) {
  if (!headers || typeof headers !== "object") return headers;
  return Object.fromEntries(Object.entries(headers).filter(([, value]) => !isPlaceholder(value)));
}

function createFetcher() {
  const fetcher = GraphiQL.createFetcher({ url: endpoint, subscriptionUrl: socketUrl(endpoint) });
  return (params, options = {}) =>
    fetcher(params, { ...options, headers: withoutPlaceholders(options.headers) });
}

function authorizationHeaders(token) {
  return JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2);
}

const fetcher = createFetcher();
const explorer = GraphiQLPluginExplorer.explorerPlugin();
const demoButton = document.getElementById("tg-demo-token");
const status = document.getElementById("tg-bar-status");

function App() {
  const [headers, setHeaders] = React.useState(undefined);

  React.useEffect(() => {
    if (!config.demoToken) return undefined;
    const fillDemoToken = () => {
      setHeaders(authorizationHeaders(config.demoToken));
      status.textContent = "The demo admin's token is in the headers.";
    };
    demoButton.hidden = false;
    demoButton.addEventListener("click", fillDemoToken);
    return () => demoButton.removeEventListener("click", fillDemoToken);
  }, []);

  return React.createElement(GraphiQL, {
    fetcher,
    plugins: [explorer],
    defaultQuery: config.query,
    defaultHeaders: config.headers,
    headers,
    onEditHeaders: setHeaders,
    isHeadersEditorEnabled: true,
    defaultEditorToolsVisibility: "headers",
    inputValueDeprecation: true,
  });
}

ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(App));
