/* Mediazione's service worker (mediazione/pwa.py): the app shell and, for reading without signal, the calendar and
   appointment pages of the person logged in. Rules:
   - a page is always asked of the network first; a copy answers only when the network does not;
   - copies are kept for one person at a time (the X-Offline-Owner header of each page): a page for somebody else or
     for nobody (logged out) deletes them, and so does logging out. */
"use strict";
const VERSION = "{{ version }}";
const SHELL_CACHE = "mediazione-shell-" + VERSION;
const PAGES_CACHE = "mediazione-pages";
const SHELL = {{ shell_json|safe }};
const PAGES = {{ pages_json|safe }}.map((pattern) => new RegExp(pattern));
const OFFLINE_URL = {{ offline_url_json|safe }};
const LOGOUT_URL = {{ logout_url_json|safe }};
const OWNER_HEADER = {{ owner_header_json|safe }};
const STATIC_PREFIX = {{ static_prefix_json|safe }};
const OWNER_KEY = "/__owner__";

self.addEventListener("install", (event) => {
  // The shell is the same for everybody; fetched without cookies so that no person's page can slip into it.
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { credentials: "omit" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith("mediazione-shell-") && name !== SHELL_CACHE).map((name) => caches.delete(name))
      ))
      .then(() => self.clients.claim())
  );
});

function forgetPages() {
  return caches.delete(PAGES_CACHE);
}

async function keepPage(request, response) {
  // A redirect is opaque here, a download says nothing of its owner: neither changes what is kept.
  const owner = response.type === "opaqueredirect" ? null : response.headers.get(OWNER_HEADER);
  if (!owner) { return; }
  const cache = await caches.open(PAGES_CACHE);
  const stored = await cache.match(OWNER_KEY);
  const previous = stored ? await stored.text() : null;
  if (owner === "none" || (previous !== null && previous !== owner)) {
    await forgetPages();
    if (owner === "none") { return; }
  }
  const keep = PAGES.some((pattern) => pattern.test(new URL(request.url).pathname));
  if (!keep || !response.ok || response.redirected) { return; }
  const fresh = await caches.open(PAGES_CACHE);
  await fresh.put(OWNER_KEY, new Response(owner));
  await fresh.put(request.url, response);
}

async function navigate(event) {
  const request = event.request;
  try {
    const response = await fetch(request);
    event.waitUntil(keepPage(request, response.clone()));
    return response;
  } catch (error) {
    // No network: the page kept for this person, else the offline page.
    const cache = await caches.open(PAGES_CACHE);
    const kept = await cache.match(request.url);
    if (kept) { return kept; }
    const offline = await caches.match(OFFLINE_URL);
    return offline || Response.error();
  }
}

async function fromShell(event) {
  const cached = await caches.match(event.request, { ignoreVary: true });
  const network = fetch(event.request).then(async (response) => {
    if (response.ok) {
      const cache = await caches.open(SHELL_CACHE);
      await cache.put(event.request, response.clone());
    }
    return response;
  });
  if (cached) {
    event.waitUntil(network.catch(() => undefined));
    return cached;
  }
  return network;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST" && url.pathname === LOGOUT_URL) {
    event.respondWith(forgetPages().then(() => fetch(request)));
    return;
  }
  if (request.method !== "GET") { return; }
  if (request.mode === "navigate") {
    event.respondWith(navigate(event));
  } else if (url.pathname.startsWith(STATIC_PREFIX)) {
    event.respondWith(fromShell(event));
  }
});
