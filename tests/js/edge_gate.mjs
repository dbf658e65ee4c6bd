// The Cloudflare edge target in Cloudflare's own runtime (workerd, through Miniflare): runs the generated
// worker.js in front of the built site as wrangler.toml configures it, sends the requests given and prints
// [{status, headers, body (base64)}] as JSON.
// node edge_gate.mjs SPEC.json   with SPEC {worker, assets, members, calendars, compatibilityDate,
//                                            requests: [[path, auth]], bindings: {NAME: text} (optional:
//                                            the secrets of further member areas)}
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { Miniflare } from "miniflare";

const spec = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const mf = new Miniflare({
  modules: true,
  scriptPath: spec.worker,
  modulesRoot: path.dirname(spec.worker),
  compatibilityDate: spec.compatibilityDate,
  bindings: { VORAB_MEMBERS: spec.members, VORAB_CALENDARS: spec.calendars, ...spec.bindings },
  assets: { directory: spec.assets, binding: "ASSETS",
            routerConfig: { has_user_worker: true, invoke_user_worker_ahead_of_assets: true } },
  host: "127.0.0.1", port: 0,
});
try {
  const url = await mf.ready;
  const results = [];
  for (const [path, auth] of spec.requests) {
    results.push(await raw(url.hostname, Number(url.port), path, auth));
  }
  process.stdout.write(JSON.stringify(results));
} finally {
  await mf.dispose();
}

// A request with the path exactly as written (fetch() would normalise `//members/` or `/x/../members/` first).
function raw(host, port, path, auth) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nConnection: close\r\n` +
                   (auth ? `Authorization: ${auth}\r\n` : "") + "\r\n");
    });
    const chunks = [];
    let done = false;
    const finish = () => {
      if (done) return;
      const data = Buffer.concat(chunks);
      const split = data.indexOf("\r\n\r\n");
      if (split < 0) return;
      const head = data.subarray(0, split).toString("latin1").split("\r\n");
      const headers = {};
      for (const line of head.slice(1)) {
        const colon = line.indexOf(":");
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      let body = data.subarray(split + 4);
      if ((headers["transfer-encoding"] || "").includes("chunked")) {
        if (!body.includes("0\r\n\r\n")) return;  // not all there yet
        body = unchunk(body);
      } else if (body.length < Number(headers["content-length"] || 0)) {
        return;
      }
      done = true;
      socket.destroy();  // the runtime keeps connections open: the answer is complete, so stop here
      resolve({ status: Number(head[0].split(" ")[1]), headers, body: body.toString("base64") });
    };
    socket.on("data", (chunk) => { chunks.push(chunk); finish(); });
    socket.on("error", (error) => { if (!done) reject(error); });
    socket.on("end", finish);
  });
}

function unchunk(data) {
  const parts = [];
  let offset = 0;
  while (offset < data.length) {
    const end = data.indexOf("\r\n", offset);
    const size = parseInt(data.subarray(offset, end).toString("latin1"), 16);
    if (!size) break;
    parts.push(data.subarray(end + 2, end + 2 + size));
    offset = end + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
