/* microgpt book: the service worker that keeps the book readable offline after one visit.
 *
 * Served from the site's root (book/_extra/sw.js, copied there by html_extra_path), so its
 * scope is the whole book; registered by _static/reader.js, which every page loads. The build
 * (book/_ext/microgpt_offline.py) writes VERSION: a hash of every file the build wrote. One
 * cache per version, so a rebuild never serves a mix of two builds: the browser fetches
 * sw.js again on the next visit, sees another VERSION, installs this file anew, and its
 * activation deletes every older cache of the book.
 *
 * What it keeps: every same-origin GET the book's pages and their Web Workers make, once
 * answered 200 by the server: the pages a reader opens (with their styles, scripts, fonts,
 * images), and, once the reader goes live, the live runtime, the package's files and
 * Pyodide (13.5 MB). Within one version every file is what the build wrote, so a kept copy
 * is served first (no network), the rest is fetched and kept. The pages of the first visit
 * are loaded before this worker controls them: reader.js then sends it their URLs to keep.
 * Offline, a page that was never opened gets a short page saying so.
 *
 * Where service workers are blocked (or on file://), none of this runs and the book works
 * as it does without it.
 */
"use strict";
const VERSION = "__BUILD_VERSION__";  // written by book/_ext/microgpt_offline.py
const PREFIX = "microgpt-book:";
const CACHE = PREFIX + VERSION;
const SCOPE = self.registration.scope;

self.addEventListener("install", (event) => {
  event.waitUntil(self.skipWaiting());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

function keepable(request) {
  return request.method === "GET" && request.url.startsWith(SCOPE) && !request.headers.has("range");
}

/* From the network (revalidated: never an older build's copy from the HTTP cache), kept if 200. */
async function fetchAndKeep(request, cacheMode) {
  const response = await fetch(request, { cache: cacheMode || "no-cache" });
  if (response.status === 200 && response.type === "basic") {
    const cache = await caches.open(CACHE);
    await cache.put(stripQuery(request), response.clone());
  }
  return response;
}

/* Sphinx adds ?v=<hash> to its scripts and styles: one copy per file, the version names the build. */
function stripQuery(request) {
  const url = new URL(request.url);
  if (!url.search) return request;
  url.search = "";
  return new Request(url.href);
}

function offlinePage(url) {
  const body = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">" +
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
    "<title>Offline: page not saved</title></head><body style=\"font-family: sans-serif; max-width: 40em; " +
    "margin: 3em auto; padding: 0 1em; line-height: 1.5\"><main><h1>You are offline</h1>" +
    "<p>This page of the microgpt book was not opened while you were online, so it is not saved " +
    "on this device. The pages you opened before are: go back, or open the book's " +
    "<a href=\"" + SCOPE + "book/intro.html\">first page</a>.</p><p><small>" + url.replace(/</g, "&lt;") +
    "</small></p></main></body></html>";
  return new Response(body, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (!keepable(request)) return;  // the browser handles it as if there were no service worker
  event.respondWith((async () => {
    const kept = await caches.match(stripQuery(request), { cacheName: CACHE });
    if (kept) return kept;
    try {
      return await fetchAndKeep(request);
    } catch (err) {
      if (request.mode === "navigate") return offlinePage(request.url);
      throw err;
    }
  })());
});

/* reader.js: {type: "keep", urls} (what the page loaded before this worker controlled it),
   answered {type: "kept", version, count} on the message's port. */
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "keep") return;
  const port = event.ports && event.ports[0];
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    let count = 0;
    for (const url of data.urls || []) {
      const request = new Request(url);
      if (!keepable(request) || await cache.match(stripQuery(request))) continue;
      try {
        await fetchAndKeep(request, "force-cache");  // the copy the page just used
        count += 1;
      } catch (err) { /* offline already: nothing to keep */ }
    }
    if (port) port.postMessage({ type: "kept", version: VERSION, count: count });
  })());
});
