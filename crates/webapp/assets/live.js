// Live updates over Server-Sent Events. The web app passes the API's streams on (the tokens
// stay on the server): `/live` carries the user's notifications, `/meetings/{id}/progress`
// the speech-to-text task of a meeting whose recording is being transcribed. Every page
// works without this script; it only spares the reloads.

const follow = document.querySelector("[data-follow]");
const bell = document.querySelector("[data-unread-count]");
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

// Notifications: the unread count beside the bell (asked once, then one more for each that
// arrives) and, on a meeting's page that waits for its minutes, the page again when one
// about this meeting arrives.
if (bell) {
  const show = (count) => {
    bell.dataset.unreadCount = String(count);
    bell.textContent = String(count);
    bell.title = bell.dataset.label.replace("{count}", String(count));
    bell.hidden = count === 0;
  };
  let arrived = 0;
  const ask = () =>
    fetch("/live/unread", { headers: { accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : null))
      .then((body) => {
        if (body && typeof body.unread === "number") show(body.unread + arrived);
        arrived = 0;
      })
      .catch(() => {});
  ask();
  // A form applied in place (a notification marked read) changes the count: ask again.
  document.addEventListener("htmx:afterSwap", ask);
  const live = open("/live");
  live.addEventListener("notification", (event) => {
    const n = parse(event);
    if (!n) return;
    arrived += 1;
    show(Number(bell.dataset.unreadCount || 0) + 1);
    if (follow && (n.link || "").startsWith(follow.dataset.follow)) reload();
  });
}

// The transcription's progress: chunk n of m, then the minutes. Right after the meeting
// ends there may be no task yet (the recording is still being cut into chunks): the web app
// then answers 204, the stream closes, and it is asked again a moment later.
if (follow && follow.dataset.progress) {
  const bar = follow.querySelector("progress");
  const label = follow.querySelector("[data-progress-label]");
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
  let attempts = 0;
  const connect = () => {
    const stream = open(follow.dataset.progress);
    let finished = false;
    stream.addEventListener("PENDING", show);
    stream.addEventListener("PROCESSING", show);
    stream.addEventListener("COMPLETED", (event) => {
      finished = true;
      show(event);
      stream.close();
      label.textContent = follow.dataset.analysing;
      bar.removeAttribute("value");
    });
    stream.addEventListener("FAILED", () => {
      finished = true;
      stream.close();
      reload();
    });
    stream.addEventListener("error", () => {
      if (finished || stream.readyState !== EventSource.CLOSED) return;
      attempts += 1;
      if (attempts < 60) setTimeout(connect, 1000);
    });
  };
  connect();
}

// A page that waits also looks again now and then, should an event have been missed while
// it connected.
if (follow) setInterval(reload, 15000);
