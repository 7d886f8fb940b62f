// The origin behind the Pushpin peer of the benchmark. Pushpin holds the
// WebSocket connections and turns their events into WebSocket-over-HTTP
// requests to this server (route "* 127.0.0.1:PORT,over_http"). On OPEN the
// origin accepts the connection with the GRIP extension and
//   - subscribes it to channel "all" (broadcasts) and "c<id>" (unicast),
//   - sends it {"cmd":"open","_id":"<id>"}, the first frame a wscenter node
//     sends, so the benchmark's client learns its id the same way.
// Messages are then published straight to Pushpin's HTTP publish endpoint
// (/publish/), which never reaches this origin.
//
//   node origin.js --port=0 [--host=127.0.0.1]
//
// Prints "origin ready port=N pid=P" once it listens.
"use strict";

const crypto = require("crypto");
const http = require("http");

const ID_BYTES = 16; // 32 hex digits, the length of a wscenter connection id

function option(name, fallback) {
  const prefix = `--${name}=`;
  const arg = process.argv.find((a) => a.startsWith(prefix));
  return arg ? arg.slice(prefix.length) : fallback;
}

// One event of the WebSocket-over-HTTP protocol: "TYPE [hexlen]\r\n[content\r\n]".
function event(type, content) {
  if (content === undefined) return `${type}\r\n`;
  return `${type} ${Buffer.byteLength(content).toString(16)}\r\n${content}\r\n`;
}

function control(message) {
  return event("TEXT", `c:${JSON.stringify(message)}`);
}

// The event types in a request body (contents are skipped by their length).
function eventTypes(body) {
  const types = [];
  let at = 0;
  while (at < body.length) {
    const eol = body.indexOf("\r\n", at);
    if (eol < 0) break;
    const [type, hexlen] = body.slice(at, eol).toString("latin1").split(" ");
    types.push(type);
    at = eol + 2;
    if (hexlen !== undefined) at += parseInt(hexlen, 16) + 2;
  }
  return types;
}

function handle(req, res) {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const types = eventTypes(Buffer.concat(chunks));
    let out = "";
    if (types.includes("OPEN")) {
      const id = crypto.randomBytes(ID_BYTES).toString("hex");
      out += event("OPEN");
      out += control({ type: "subscribe", channel: "all" });
      out += control({ type: "subscribe", channel: `c${id}` });
      out += event("TEXT", JSON.stringify({ cmd: "open", _id: id }));
    }
    if (types.includes("CLOSE")) out += event("CLOSE");
    res.writeHead(200, {
      "Content-Type": "application/websocket-events",
      // An empty message prefix: frames that are not "c:" controls go to the client as they are.
      "Sec-WebSocket-Extensions": 'grip; message-prefix=""',
      "Content-Length": Buffer.byteLength(out),
    });
    res.end(out);
  });
}

const server = http.createServer(handle);
server.keepAliveTimeout = 0; // Pushpin keeps its connections to the origin open
server.listen(Number(option("port", "0")), option("host", "127.0.0.1"), () => {
  console.log(`origin ready port=${server.address().port} pid=${process.pid}`);
});
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));
