// Playback of a meeting's recordings beside its transcript: selecting a section's time
// plays that speaker's track from there, and the line being played is highlighted. The
// audio comes by byte ranges, so seeking does not download the whole file.

const players = Array.from(document.querySelectorAll("audio[data-speaker]"));

if (players.length) {
  const lines = Array.from(document.querySelectorAll("[data-seek]"));
  const playerFor = (speaker) =>
    players.find((p) => p.dataset.speaker === speaker) || players[0];

  for (const line of lines) {
    line.addEventListener("click", (event) => {
      event.preventDefault();
      const player = playerFor(line.dataset.speaker);
      for (const other of players) if (other !== player) other.pause();
      player.currentTime = Number(line.dataset.seek) / 1000;
      player.play().catch(() => {});
    });
  }

  const highlight = (player) => {
    const ms = player.currentTime * 1000;
    for (const line of lines) {
      const item = line.closest("li");
      const mine = players.length === 1 || line.dataset.speaker === player.dataset.speaker;
      const end = line.dataset.end ? Number(line.dataset.end) : Infinity;
      const on = mine && ms >= Number(line.dataset.seek) && ms < end;
      item.classList.toggle("playing", on);
      if (on) item.setAttribute("aria-current", "true");
      else if (mine) item.removeAttribute("aria-current");
    }
  };
  for (const player of players) {
    player.addEventListener("timeupdate", () => highlight(player));
    player.addEventListener("seeked", () => highlight(player));
  }
}
