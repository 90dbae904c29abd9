#!/bin/sh
# talentgraph with nothing but curl: a query as a POST, the same query as an automatic
# persisted query over GET (the hash alone, PersistedQueryNotFound, the hash with the
# text, then the hash alone again), and a query as Server-Sent Events.
#
#   TALENTGRAPH_URL=http://127.0.0.1:8000/graphql TALENTGRAPH_TOKEN=<jwt> sh curl.sh
#
# Prints one JSON line per result, {"check": ..., "response": <the server's JSON>};
# exits non-zero when a request fails (curl -f: an HTTP error status) or a variable is
# missing. Needs curl, awk, and sha256sum, shasum or openssl for the hash.
set -eu

: "${TALENTGRAPH_URL:?set TALENTGRAPH_URL, e.g. http://127.0.0.1:8000/graphql}"
: "${TALENTGRAPH_TOKEN:?set TALENTGRAPH_TOKEN, a token from talentgraph token}"

AUTH="authorization: Bearer $TALENTGRAPH_TOKEN"
QUERY='query Titles { jobs(first: 3) { totalCount edges { node { id title } } } }'

sha256() {
    if command -v sha256sum >/dev/null 2>&1; then
        printf '%s' "$1" | sha256sum | cut -d' ' -f1
    elif command -v shasum >/dev/null 2>&1; then
        printf '%s' "$1" | shasum -a 256 | cut -d' ' -f1
    else
        printf '%s' "$1" | openssl dgst -sha256 -r | cut -d' ' -f1
    fi
}

# one output line: a label and one JSON document (the gateway answers on one line)
emit() {
    printf '{"check": "%s", "response": %s}\n' "$1" "$2"
}

# POST, the usual way: a JSON body
body=$(curl -fsS "$TALENTGRAPH_URL" -H "$AUTH" -H 'content-type: application/json' \
    --data-binary "{\"query\": \"$QUERY\"}")
emit post "$body"

# GET with Apollo's automatic persisted queries: the hash alone first; an unknown hash
# is answered PersistedQueryNotFound, so the text goes once with it, and from then on
# the hash alone runs it (curl -G puts each --data-urlencode in the URL, encoded)
extensions="{\"persistedQuery\": {\"version\": 1, \"sha256Hash\": \"$(sha256 "$QUERY")\"}}"
for step in get-hash-unknown get-hash-and-query get-hash-known; do
    if [ "$step" = get-hash-and-query ]; then
        body=$(curl -fsS -G "$TALENTGRAPH_URL" -H "$AUTH" \
            --data-urlencode "query=$QUERY" --data-urlencode "extensions=$extensions")
    else
        body=$(curl -fsS -G "$TALENTGRAPH_URL" -H "$AUTH" \
            --data-urlencode "extensions=$extensions")
    fi
    emit "$step" "$body"
done

# Server-Sent Events (graphql-sse's distinct connections mode): each result is an
# "event: next" whose data line is its JSON, then "event: complete" ends the stream
events=$(curl -fsSN "$TALENTGRAPH_URL" -H "$AUTH" -H 'accept: text/event-stream' \
    -H 'content-type: application/json' --data-binary "{\"query\": \"$QUERY\"}")
printf '%s\n' "$events" | awk '
    /^event:/ { event = $2 }
    /^data:/ {
        sub(/^data: ?/, "")
        printf "{\"check\": \"sse-%s\", \"response\": %s}\n", event, ($0 == "" ? "null" : $0)
    }'
