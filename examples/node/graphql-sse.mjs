// graphql-sse in distinct connections mode: a query and a subscription as Server-Sent
// Events, for clients behind proxies that block WebSockets.
//
//   TALENTGRAPH_URL=http://127.0.0.1:8000/graphql TALENTGRAPH_TOKEN=<jwt> \
//     TALENTGRAPH_JOB_ID=<global id> node graphql-sse.mjs
import { createClient } from "graphql-sse";

const client = createClient({
  url: process.env.TALENTGRAPH_URL,
  headers: { authorization: `Bearer ${process.env.TALENTGRAPH_TOKEN}` },
});

try {
  const query = client.iterate({ query: "query Count { jobs { totalCount } }" });
  const { value } = await query.next();
  await query.return();
  console.log(JSON.stringify({ check: "sse-query", data: value.data }));
  const moves = client.iterate({
    query: `subscription Moves($jobId: ID!) { pipelineUpdates(jobId: $jobId) { kind jobId status } }`,
    variables: { jobId: process.env.TALENTGRAPH_JOB_ID },
  });
  const first = moves.next();
  console.log(JSON.stringify({ check: "subscribed" }));
  const update = await first;
  await moves.return();
  console.log(JSON.stringify({ check: "sse-subscription", data: update.value.data }));
  client.dispose();
} catch (error) {
  console.error(error);
  process.exit(1);
}
