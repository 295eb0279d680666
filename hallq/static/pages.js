"use strict";
// The small behaviours of the managers', city and demo pages, wired by data attributes so that no page needs an
// inline script (the Content-Security-Policy allows scripts from this server's files only).
(() => {
  const $ = (id) => document.getElementById(id);
  const json = (method, url, body) =>
    fetch(url, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  // <button id="logout" data-session="URL to DELETE" data-then="where to go">
  const logout = $("logout");
  if (logout) {
    logout.addEventListener("click", async () => {
      await json("DELETE", logout.dataset.session).catch(() => null);
      location.href = logout.dataset.then;
    });
  }

  // <form id="login" data-session="URL to POST" data-next="where to go" data-roles="manager admin"
  //  data-refused="shown when the account's role is not one of data-roles">
  const login = $("login");
  if (login) {
    login.addEventListener("submit", async (event) => {
      event.preventDefault();
      const error = $("error");
      const response = await json("POST", login.dataset.session, {
        username: $("username").value,
        password: $("password").value,
      }).catch(() => null);
      const data = response ? await response.json().catch(() => ({})) : {};
      let message = null;
      if (!response) message = login.dataset.offline || "offline";
      else if (!response.ok) message = hallq.pick(data.message) || response.statusText;
      else if (login.dataset.roles && !login.dataset.roles.split(" ").includes(data.role)) {
        await json("DELETE", login.dataset.session).catch(() => null);
        message = login.dataset.refused;
      }
      if (message === null) { location.href = login.dataset.next; return; }
      error.textContent = message;
      error.classList.remove("hidden");
    });
  }

  // follow-ups: a row's buttons set its status, with the note typed beside them
  const followUps = $("follow-ups");
  if (followUps) {
    // 申诉: a manager upholds (the rating leaves the figures) or rejects the window's appeal, with a note
    followUps.addEventListener("click", async (event) => {
      const button = event.target.closest("button[data-decision]");
      if (!button) return;
      const box = button.closest(".m-appeal");
      try {
        await hallq.api("POST", `/ratings/${box.dataset.rating}/appeal/decision`,
          { decision: button.dataset.decision, note: box.querySelector("textarea").value });
        location.reload();
      } catch (exc) {
        const banner = $("fu-error");
        banner.textContent = hallq.pick(exc.message);
        banner.classList.remove("hidden");
      }
    });
    followUps.addEventListener("click", async (event) => {
      const button = event.target.closest("button[data-status]");
      if (!button) return;
      const row = button.closest("tr");
      const note = row.querySelector("textarea");
      try {
        await hallq.api("PATCH", `/follow-ups/${row.dataset.id}`, { status: button.dataset.status, note: note ? note.value : null });
        location.reload();
      } catch (exc) {
        const banner = $("fu-error");
        banner.textContent = hallq.pick(exc.message);
        banner.classList.remove("hidden");
      }
    });
  }

  // <progress id="run-progress" data-poll="URL of the run's JSON">: a what-if still running
  const progress = $("run-progress");
  if (progress && progress.dataset.poll) {
    (function poll() {
      fetch(progress.dataset.poll, { credentials: "same-origin" })
        .then((response) => response.json())
        .then((run) => {
          if (run.state !== "running") { location.reload(); return; }
          progress.value = run.progress;
          setTimeout(poll, 400);
        })
        .catch(() => setTimeout(poll, 1000));
    })();
  }
})();
