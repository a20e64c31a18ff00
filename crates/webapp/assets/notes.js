// Text-field helpers. The notes editor of a meeting in progress: saved by itself a moment
// after each change (the same form post as the Save button), and a participant's name starts
// a line with one click (`Name: `, the form that attributes speech). The scheduling form's
// people finder: names found as one types (htmx fills the list), each added to the
// invitation with a click.

const notes = document.getElementById("notes");

if (notes && notes.dataset.autosave) {
  const status = document.getElementById("notes-status");
  const speakers = document.getElementById("speakers");
  const csrf = document.querySelector("input[name=_csrf]");
  let timer = null;
  let saving = Promise.resolve();

  const save = () => {
    const body = new URLSearchParams({ notes: notes.value });
    if (csrf) body.set("_csrf", csrf.value);
    saving = saving.then(() =>
      fetch(notes.dataset.autosave, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body,
      })
        .then((r) => {
          // The form's answer comes back to the meeting's page, with `error=` when refused.
          const ok = r.ok && !new URL(r.url).searchParams.has("error");
          const time = new Date().toLocaleTimeString(document.documentElement.lang, {
            hour: "2-digit",
            minute: "2-digit",
          });
          status.textContent = ok
            ? notes.dataset.saved.replace("{time}", time)
            : notes.dataset.failed;
        })
        .catch(() => {
          status.textContent = notes.dataset.failed;
        }),
    );
  };

  const changed = () => {
    status.textContent = notes.dataset.unsaved;
    clearTimeout(timer);
    timer = setTimeout(save, 1200);
  };
  notes.addEventListener("input", changed);

  if (speakers) {
    speakers.hidden = false;
    speakers.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-name]");
      if (!button) return;
      const at = notes.selectionStart;
      const lineStart = notes.value.lastIndexOf("\n", at - 1) + 1;
      const text = `${at > lineStart ? "\n" : ""}${button.dataset.name}: `;
      notes.setRangeText(text, at, notes.selectionEnd, "end");
      notes.focus();
      changed();
    });
  }
}

const finder = document.getElementById("people-finder");
const invite = document.getElementById("invite");

if (finder && invite) {
  finder.hidden = false;
  finder.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-invite]");
    if (!button) return;
    const name = button.dataset.invite;
    const present = invite.value
      .split(/[,;\n]/)
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    if (!present.includes(name)) present.push(name);
    invite.value = present.join(", ");
    button.closest("li").remove();
    document.getElementById("find").focus();
  });
}
