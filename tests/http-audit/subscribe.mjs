// Test tool only (tests/api/subscriptions.rs): subscribes over graphql-transport-ws with the
// reference client, `graphql-ws`, and prints what happens as one JSON object a line.
//
//   node subscribe.mjs '{"url":"ws://127.0.0.1:PORT/graphql","token":null,
//     "query":"subscription { changed { entityId } }","variables":{},
//     "subscriptions":1,"count":2,"timeoutMs":20000}'
//
// Lines: {"type":"connected"}, {"type":"next","sub":0,"payload":{...}},
// {"type":"complete","sub":0}, {"type":"error","sub":0,"code":4403,"reason":"..."},
// {"type":"closed","code":4403,"reason":"..."}, {"type":"timeout"}. It exits after `count`
// `next` lines in all, when every subscription has ended, or at the timeout.

import { createClient } from "graphql-ws";
import WebSocket from "ws";

const config = JSON.parse(process.argv[2]);
const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");

const client = createClient({
  url: config.url,
  webSocketImpl: WebSocket,
  connectionParams: config.token ? { Authorization: `Bearer ${config.token}` } : {},
  retryAttempts: 0,
  lazy: true,
  on: {
    connected: () => print({ type: "connected" }),
    closed: (event) => print({ type: "closed", code: event?.code, reason: event?.reason }),
  },
});

let received = 0;
let open = config.subscriptions ?? 1;
const finish = async (status) => {
  await client.dispose();
  process.exit(status);
};
setTimeout(() => {
  print({ type: "timeout" });
  finish(0);
}, config.timeoutMs ?? 20000);

for (let sub = 0; sub < (config.subscriptions ?? 1); sub++) {
  client.subscribe(
    { query: config.query, variables: config.variables ?? {} },
    {
      next: (payload) => {
        print({ type: "next", sub, payload });
        received += 1;
        if (received >= config.count) finish(0);
      },
      error: (error) => {
        if (Array.isArray(error)) {
          print({ type: "error", sub, errors: error });
        } else {
          print({ type: "error", sub, code: error?.code, reason: error?.reason ?? String(error?.message ?? error) });
        }
        open -= 1;
        if (open === 0) finish(0);
      },
      complete: () => {
        print({ type: "complete", sub });
        open -= 1;
        if (open === 0) finish(0);
      },
    },
  );
}
