// graphql-ws with one socket for everything (lazy: false), as urql and other
// single-socket clients use it: a query, a mutation and a subscription on one connection.
//
//   TALENTGRAPH_WS_URL=ws://127.0.0.1:8000/graphql TALENTGRAPH_TOKEN=<jwt> \
//     TALENTGRAPH_JOB_ID=<global id> node graphql-ws.mjs
//
// Prints one JSON line per result; "subscribed" once the subscription is sent, then the
// first pipeline update that arrives.
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const client = createClient({
  url: process.env.TALENTGRAPH_WS_URL,
  webSocketImpl: WebSocket,
  lazy: false,
  connectionParams: { authorization: `Bearer ${process.env.TALENTGRAPH_TOKEN}` },
});

function once(payload) {
  return new Promise((resolve, reject) => {
    let result;
    client.subscribe(payload, {
      next: (value) => { result = value; },
      error: reject,
      complete: () => resolve(result),
    });
  });
}

try {
  const query = await once({ query: "query Count { jobs { totalCount } }" });
  console.log(JSON.stringify({ check: "ws-query", data: query.data }));
  const mutation = await once({
    query: `mutation Create($name: String!) {
      personaCreate(input: {name: $name, systemPromptTemplate: "You interview for {{job_title}}."}) {
        __typename ... on PersonaCreateSuccess { persona { name } }
      }
    }`,
    variables: { name: "Made over graphql-ws" },
  });
  console.log(JSON.stringify({ check: "ws-mutation", data: mutation.data }));
  const update = await new Promise((resolve, reject) => {
    const stop = client.subscribe(
      {
        query: `subscription Moves($jobId: ID!) { pipelineUpdates(jobId: $jobId) { kind jobId status } }`,
        variables: { jobId: process.env.TALENTGRAPH_JOB_ID },
      },
      { next: (value) => { stop(); resolve(value); }, error: reject, complete: () => {} },
    );
    console.log(JSON.stringify({ check: "subscribed" }));
  });
  console.log(JSON.stringify({ check: "ws-subscription", data: update.data }));
  await client.dispose();
} catch (error) {
  console.error(JSON.stringify(error) === "{}" ? error : JSON.stringify(error));
  process.exit(1);
}
