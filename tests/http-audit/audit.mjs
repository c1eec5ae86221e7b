// Runs the graphql-http audit (GraphQL over HTTP conformance) against the server at
// argv[2] and prints one JSON line per check: {"id","name","status","reason"}, status
// being "ok", "warn" or "error". tests/api/http_audit.rs starts the server and reads them.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs http://127.0.0.1:PORT/graphql');
  process.exit(2);
}
const results = await auditServer({ url });
for (const result of results) {
  const line = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    line.reason = result.reason;
    if (result.response) {
      line.httpStatus = result.response.status;
      try {
        line.body = (await result.response.text()).slice(0, 300);
      } catch {
        // the audit read the body already
      }
    }
  }
  console.log(JSON.stringify(line));
}
