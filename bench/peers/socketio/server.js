// Socket.IO 4 peer of the benchmark: one process of a Socket.IO cluster that
// shares rooms and broadcasts with its siblings through redis-server (the
// official Redis adapter). scripts/bench-peers.sh runs two of them.
//
// Besides Socket.IO on /socket.io/, the same port answers the calls of
// wscenter's HTTP API that the benchmark sends (GET query string or POST JSON
// body, see README "HTTP API"), mapped to their Socket.IO equivalents:
//
//   broadcast         io.emit("m", msg)
//   sendToGroup       io.to(groupId).emit("m", msg)
//   sendMessageTo_Id  io.to(_id).emit("m", msg)       (_id = the socket id)
//   joinGroupBy_Id    io.in(_id).socketsJoin(groupId)
//
// so that wscenter-bench drives it with the very same requests as a wscenter
// registry. Answers use wscenter's envelope {"code":0,...}.
//
//   node server.js --port=0 --redis=6379 [--host=127.0.0.1]
//
// Prints "socketio ready port=N pid=P" once it listens and the Redis
// clients are connected.
"use strict";

const http = require("http");
const { Server } = require("socket.io");
const { createAdapter } = require("@socket.io/redis-adapter");
const { createClient } = require("redis");

const EVENT = "m"; // the one event name every message is emitted with
const MAX_BODY_BYTES = 1 << 20;

function option(name, fallback) {
  const prefix = `--${name}=`;
  const arg = process.argv.find((a) => a.startsWith(prefix));
  return arg ? arg.slice(prefix.length) : fallback;
}

function answer(res, status, code, msg) {
  const body = JSON.stringify({ code, msg, extra: [], data: {} });
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}

// {event, args} of a wscenter API call: ?event=E&E[k]=v, or ?event=E with a
// JSON body {"E":{"k":"v"}}.
function parseCall(url, body) {
  const query = new URL(url, "http://x").searchParams;
  const event = query.get("event") || "";
  const args = {};
  if (body.length > 0) {
    const parsed = JSON.parse(body);
    Object.assign(args, parsed[event] || {});
  }
  const prefix = `${event}[`;
  for (const [key, value] of query) {
    if (key.startsWith(prefix) && key.endsWith("]")) args[key.slice(prefix.length, -1)] = value;
  }
  return { event, args };
}

async function perform(io, { event, args }) {
  switch (event) {
    case "broadcast":
      io.emit(EVENT, String(args.msg));
      return;
    case "sendToGroup":
      io.to(String(args.groupId)).emit(EVENT, String(args.msg));
      return;
    case "sendMessageTo_Id":
      io.to(String(args._id)).emit(EVENT, String(args.msg));
      return;
    case "joinGroupBy_Id":
      await io.in(String(args._id)).socketsJoin(String(args.groupId));
      return;
    default:
      throw new Error(`unsupported event '${event}'`);
  }
}

function handleApi(io, req, res) {
  const chunks = [];
  let size = 0;
  req.on("data", (chunk) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on("end", () => {
    if (size > MAX_BODY_BYTES) return answer(res, 413, 1, "body too large");
    let call;
    try {
      call = parseCall(req.url, Buffer.concat(chunks).toString("utf8"));
    } catch (e) {
      return answer(res, 400, 1, `bad request: ${e.message}`);
    }
    perform(io, call).then(
      () => answer(res, 200, 0, "ok"),
      (e) => answer(res, 400, 1, e.message),
    );
  });
}

async function main() {
  const host = option("host", "127.0.0.1");
  const port = Number(option("port", "0"));
  const redisPort = Number(option("redis", "6379"));
  const pub = createClient({ socket: { host: "127.0.0.1", port: redisPort } });
  const sub = pub.duplicate();
  for (const client of [pub, sub]) {
    client.on("error", (e) => console.error(`socketio: redis: ${e.message}`));
  }
  await Promise.all([pub.connect(), sub.connect()]);

  const server = http.createServer();
  const io = new Server(server, {
    transports: ["websocket"], // the benchmark's clients open WebSockets directly
    serveClient: false,
    adapter: createAdapter(pub, sub),
  });
  // Socket.IO handles its own path; everything else is the publish API.
  server.on("request", (req, res) => {
    if (!req.url.startsWith("/socket.io/")) handleApi(io, req, res);
  });
  server.listen(port, host, () => {
    console.log(`socketio ready port=${server.address().port} pid=${process.pid}`);
  });
  const stop = () => {
    io.close();
    Promise.allSettled([pub.quit(), sub.quit()]).then(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((e) => {
  console.error(`socketio: ${e.stack || e}`);
  process.exit(1);
});
