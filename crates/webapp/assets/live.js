// Live updates over Server-Sent Events. The web app passes the API's streams on (the tokens
// stay on the server): `/live` carries the user's notifications, `/meetings/{id}/progress`
// the speech-to-text task of a meeting whose recording is being transcribed. Every page
// works without this script; it only spares the reloads.

const follow = document.querySelector("[data-follow]");
const bell = document.querySelector("[data-new-count]");
let reloading = false;
const streams = [];

// A browser keeps at most six connections to a site: a page it leaves (or keeps in its
// back-forward cache) must let go of its streams, else the seventh page waits for them.
function open(url) {
  const stream = new EventSource(url);
  streams.push(stream);
  return stream;
}
addEventListener("pagehide", () => {
  for (const stream of streams) stream.close();
});
addEventListener("pageshow", (event) => {
  // Back from the cache with its streams closed: the page is stale, get it again.
  if (event.persisted) location.reload();
});

function reload() {
  if (reloading) return;
  reloading = true;
  setTimeout(() => location.reload(), 250);
}

function parse(event) {
  try {
    return JSON.parse(event.data);
  } catch {
    return null;
  }
}

// Notifications: the count of new ones beside the bell and, on a meeting's page that waits
// for its minutes, the page again when one about this meeting arrives.
if (bell) {
  const live = open("/live");
  live.addEventListener("notification", (event) => {
    const n = parse(event);
    if (!n) return;
    const count = Number(bell.dataset.newCount || 0) + 1;
    bell.dataset.newCount = String(count);
    bell.textContent = String(count);
    bell.hidden = false;
    if (follow && (n.link || "").startsWith(follow.dataset.follow)) reload();
  });
}

// The transcription's progress: chunk n of m, then the minutes.
if (follow && follow.dataset.progress) {
  const bar = follow.querySelector("progress");
  const label = follow.querySelector("[data-progress-label]");
  const stream = open(follow.dataset.progress);
  const show = (event) => {
    const task = parse(event);
    const p = task && task.progress;
    if (!p || !p.total) return;
    bar.max = p.total;
    bar.value = p.done;
    label.textContent = follow.dataset.chunk
      .replace("{done}", String(p.done))
      .replace("{total}", String(p.total));
  };
  stream.addEventListener("PENDING", show);
  stream.addEventListener("PROCESSING", show);
  stream.addEventListener("COMPLETED", (event) => {
    show(event);
    stream.close();
    label.textContent = follow.dataset.analysing;
    bar.removeAttribute("value");
  });
  stream.addEventListener("FAILED", () => {
    stream.close();
    reload();
  });
}

// A page that waits also looks again now and then, should an event have been missed while
// it connected.
if (follow) setInterval(reload, 15000);
