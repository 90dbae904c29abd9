// Apollo Client against talentgraph: automatic persisted queries, batched requests and
// relay-style pagination, the links and cache policies Apollo apps use.
//
//   TALENTGRAPH_URL=http://127.0.0.1:8000/graphql TALENTGRAPH_TOKEN=<jwt> node apollo.mjs
//
// Prints one JSON line per check; exits non-zero when one fails.
import { createHash } from "node:crypto";
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client/core/index.js";
import { BatchHttpLink } from "@apollo/client/link/batch-http/index.js";
import { createPersistedQueryLink } from "@apollo/client/link/persisted-queries/index.js";
import { relayStylePagination } from "@apollo/client/utilities/index.js";

const uri = process.env.TALENTGRAPH_URL;
const headers = { authorization: `Bearer ${process.env.TALENTGRAPH_TOKEN}` };
const sent = [];
const recordingFetch = async (url, options) => {
  sent.push(JSON.parse(options.body));
  return fetch(url, options);
};
const sha256 = (text) => createHash("sha256").update(text).digest("hex");

const JOBS = gql`
  query JobsPage($after: String) {
    jobs(first: 2, after: $after) {
      totalCount
      edges { cursor node { id title } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

async function persistedAndPaged() {
  const client = new ApolloClient({
    link: createPersistedQueryLink({ sha256 }).concat(
      new HttpLink({ uri, headers, fetch: recordingFetch }),
    ),
    cache: new InMemoryCache({ typePolicies: { Query: { fields: { jobs: relayStylePagination() } } } }),
  });
  const first = await client.query({ query: JOBS });
  let jobs = first.data.jobs;
  while (jobs.pageInfo.hasNextPage) {
    const more = await client.query({
      query: JOBS,
      variables: { after: jobs.pageInfo.endCursor },
      fetchPolicy: "network-only",
    });
    const merged = client.cache.readQuery({ query: JOBS });
    jobs = { ...merged.jobs, pageInfo: more.data.jobs.pageInfo };
  }
  const all = client.cache.readQuery({ query: JOBS }).jobs;
  const hashOnly = sent.filter((body) => !body.query && body.extensions?.persistedQuery).length;
  const withQuery = sent.filter((body) => body.query && body.extensions?.persistedQuery).length;
  return {
    check: "apollo-persisted-relay",
    totalCount: all.totalCount,
    paged: all.edges.length,
    distinct: new Set(all.edges.map((edge) => edge.node.id)).size,
    hashOnly,
    withQuery,
  };
}

async function batched() {
  sent.length = 0;
  const client = new ApolloClient({
    link: new BatchHttpLink({ uri, headers, batchMax: 5, batchInterval: 20, fetch: recordingFetch }),
    cache: new InMemoryCache(),
  });
  const [me, count] = await Promise.all([
    client.query({ query: gql`query Me { me { email } }` }),
    client.query({ query: gql`query Count { candidates { totalCount } }` }),
  ]);
  return {
    check: "apollo-batch",
    requests: sent.length,
    operationsInFirst: Array.isArray(sent[0]) ? sent[0].length : 1,
    email: me.data.me.email,
    candidates: count.data.candidates.totalCount,
  };
}

try {
  console.log(JSON.stringify(await persistedAndPaged()));
  console.log(JSON.stringify(await batched()));
} catch (error) {
  console.error(error);
  process.exit(1);
}
