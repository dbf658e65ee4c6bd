// Cloudflare Workers with static assets: {{ gate.server_name }}, its member area gated at the edge.
// Written by the Vorab build from the GATE_* settings in publishconf.py: change those, not this file.
// Deploy: npx wrangler deploy --config dist/deploy/cloudflare/wrangler.toml (uploads output/ as the assets),
// and the members and their calendar addresses, after every members-sync:
//   npx wrangler secret put VORAB_MEMBERS --config dist/deploy/cloudflare/wrangler.toml < private/members.edge.json
//   npx wrangler secret put VORAB_CALENDARS --config dist/deploy/cloudflare/wrangler.toml < private/kalender.edge.json
{%- for area in gate.areas[1:] %}
//   npx wrangler secret put {{ area.edge_binding }} --config dist/deploy/cloudflare/wrangler.toml < private/{{ area.name }}.edge.json
//   npx wrangler secret put {{ area.calendars_binding }} --config dist/deploy/cloudflare/wrangler.toml < private/kalender{{ area.name | replace("members", "", 1) }}.edge.json
{%- endfor %}
{%- if gate.areas | length > 1 %}
// Each member tier's area admits the members of its own secret (everyone of that tier and the tiers above it).
{%- endif %}
// The worker runs before any asset (run_worker_first): it decides on the path as the asset server will read it
// (decoded, slashes collapsed, dots resolved) and serves exactly that path, so no spelling reaches the member
// area unchecked.

// Each member area and the secret with everyone allowed in.
const AREAS = [
{%- for area in gate.areas %}
  { path: "/{{ area.path }}", accounts: "{{ area.edge_binding }}" },
{%- endfor %}
];
const UNLISTED = "/{{ gate.unlisted_path }}/";
const REALM = "{{ gate.realm }}";
const CALENDAR = new RegExp("^/{{ gate.calendars_path }}/([a-z2-7]{32})\\.ics$");
// Each area's feed and the secret with its customers' calendar tokens: the highest area that lists a token first.
const FEEDS = [
{%- for area in gate.areas | reverse %}
  { feed: "/{{ area.path }}/{{ gate.member_feed }}", tokens: "{{ area.calendars_binding }}" },
{%- endfor %}
];

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    let path;
    try {
      path = normalise(decodeURIComponent(url.pathname));
    } catch {
      return new Response("Bad Request", { status: 400 });
    }
    const target = new URL(path + url.search, url);
    const calendar = CALENDAR.exec(path);
    if (calendar) {  // a member's personal calendar address (members-sync): calendar apps cannot log in
      const feed = FEEDS.find((area) => JSON.parse(env[area.tokens] || "[]").includes(calendar[1]));
      if (!feed) return new Response("Not Found", { status: 404 });
      return withHeaders(await env.ASSETS.fetch(new URL(feed.feed, url)), {
        "Content-Type": "text/calendar; charset=utf-8", "Cache-Control": "private, max-age=3600",
        "X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer" });
    }
    if (path.startsWith("/{{ gate.calendars_path }}/")) return new Response("Not Found", { status: 404 });
    const area = areaOf(path);
    if (area) {
      if (!(await isMember(request, env[area.accounts]))) {
        const page = await env.ASSETS.fetch(new URL("/401.html", url));
        return new Response(page.body, { status: 401, headers: {
          "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store",
          "WWW-Authenticate": `Basic realm="${REALM}", charset="UTF-8"` } });
      }
      return withHeaders(await env.ASSETS.fetch(new Request(target, request)),
                         { "Cache-Control": "private, no-store", "X-Robots-Tag": "noindex" });
    }
    const response = await env.ASSETS.fetch(new Request(target, request));
    if (path.startsWith(UNLISTED)) {  // e-mail images at unguessable addresses (vorab/unlisted.py)
      return withHeaders(response, { "X-Robots-Tag": "noindex, nofollow", "Referrer-Policy": "no-referrer",
                                     "Cache-Control": "public, max-age=86400" });
    }
    return response;
  },
};

function normalise(path) {
  const segments = [];
  for (const segment of path.split(/[\/\\]+/)) {
    if (segment === "..") segments.pop();
    else if (segment !== "." && segment !== "") segments.push(segment);
  }
  return "/" + segments.join("/") + (/[\/\\]\.{0,2}$/.test(path) && segments.length ? "/" : "");
}

function areaOf(path) {
  const lower = path.toLowerCase();  // refuse every spelling, whatever the asset store matches
  return AREAS.find((area) => lower === area.path.toLowerCase() || lower.startsWith(area.path.toLowerCase() + "/"));
}

async function isMember(request, accounts) {
  const header = request.headers.get("Authorization") || "";
  if (!header.startsWith("Basic ")) return false;
  let user, password;
  try {
    const decoded = new TextDecoder().decode(Uint8Array.from(atob(header.slice(6)), (c) => c.charCodeAt(0)));
    const colon = decoded.indexOf(":");
    if (colon < 0) return false;
    user = decoded.slice(0, colon).toLowerCase();
    password = decoded.slice(colon + 1);
  } catch {
    return false;
  }
  const members = JSON.parse(accounts || "{}");
  const entry = Object.hasOwn(members, user) ? members[user] : null;
  if (!entry) return false;
  const [scheme, iterations, salt, hash] = entry.split("$");
  if (scheme !== "pbkdf2-sha256") return false;
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false,
                                            ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: fromBase64(salt),
                                                iterations: Number(iterations) }, key, 256);
  const expected = fromBase64(hash);
  return expected.byteLength === 32 && crypto.subtle.timingSafeEqual(new Uint8Array(bits), expected);
}

function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function withHeaders(response, headers) {
  const copy = new Response(response.body, response);
  for (const [name, value] of Object.entries(headers)) copy.headers.set(name, value);
  return copy;
}
