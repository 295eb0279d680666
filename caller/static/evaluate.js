// The rating tablet at a window: asks for a 好差评 as soon as the clerk finishes a visit, then goes idle again.
// Left alone, it stops asking after the hall's rating timeout; the visit stays unrated (never "satisfied").
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const main = document.querySelector("main");
  const windowId = main.dataset.window, timeoutMs = Number(main.dataset.timeout) * 1000;
  const token = hallq.deviceToken("evaluator");
  let idleTimer = null;

  function show(section) {
    for (const id of ["idle", "ask", "thanks"]) $(id).classList.toggle("hidden", id !== section);
  }
  function later(ms) {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => show("idle"), ms);
  }
  const ratingBody = (level, reasons, comment) => ({ level, ...(reasons && { reasons }), ...(comment && { comment }) });
  function ask(ticket, forMs = timeoutMs) {
    $("number").textContent = ticket.number;
    hallqRating.mount($("widget"), JSON.parse($("hallq-content").textContent), async (level, reasons, comment) => {
      await hallq.api("POST", `/tickets/${ticket.id}/rating`, ratingBody(level, reasons, comment), token);
      show("thanks");
      later(4000);
    });
    show("ask");
    later(forMs);
  }
  if (!token) {
    $("error").textContent = hallq.t("no_token");
    $("error").classList.remove("hidden");
    return;
  }
  hallq.connect(token, [`window:${windowId}`], {
    ticket_finished: (event) => { if (event.window === windowId) ask(event.ticket); },
    // a department's case system asked for the rating of a visit finished a moment ago (its 办件 known now)
    rating_requested: (event) => { if (event.window === windowId) ask(event.ticket, event.ask_for_s * 1000); },
    // after a reload or a reconnect: the visit finished meanwhile is asked for again, for the time left
    snapshot: (s) => {
      const pending = s.room === `window:${windowId}` && s.pending_rating;
      if (pending && !$("idle").classList.contains("hidden")) ask(pending.ticket, pending.ask_for_s * 1000);
    },
    // a new version of the hall's configuration (the content each level offers): the page again while
    // nobody is rating, which nobody sees; a citizen rating now finishes first
    config_changed: function reloadWhenIdle() {
      if ($("idle").classList.contains("hidden")) setTimeout(reloadWhenIdle, 5000);
      else location.reload();
    },
  }, (on) => $("live").classList.toggle("on", on));
})();
