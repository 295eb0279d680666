// The clerk's caller: sign in, pick a window, act on it; the window room keeps the page live.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const { el, t, named } = hallq;
  let me = null, hall = null, windowId = localStorage.getItem(`hallq${hallq.root}.caller.window`), socket = null;
  let snapshot = null, refreshTimer = null;

  function show(section) {
    for (const s of ["login", "pick", "desk"]) $(s).classList.toggle("hidden", s !== section);
  }
  function error(message) {
    $("error").textContent = message || "";
    $("error").classList.toggle("hidden", !message);
  }
  const serviceName = (id) => named(hall.services.find((s) => s.id === id) || { name: id });
  const time = (iso) => (iso ? iso.slice(11, 16) : "");

  async function boot() {
    try {
      me = await hallq.api("GET", "/session");
    } catch (e) {
      show("login");
      return;
    }
    hall = await hallq.api("GET", "/hall");
    if (windowId && mine().some((w) => w.id === windowId)) return openWindow(windowId);
    pickWindow();
  }

  // the windows this clerk may sign in at (set on the administration page; none set: every window)
  const mine = () => hall.windows.filter((w) => !me.windows || !me.windows.length || me.windows.includes(w.id));

  function pickWindow() {
    $("who-pick").textContent = me.username;
    $("back-to-desk").classList.toggle("hidden", !windowId);
    $("windows").replaceChildren(...mine().map((w) => el("button", {
      "data-window": w.id, onclick: () => openWindow(w.id),
    }, el("b", {}, t("window_number", { number: w.number })), " ", w.name, el("div", { class: "en" },
      t("a_post", { services: w.a_services.map(serviceName).join(t("list_separator")) })),
      el("div", { class: "en" }, t("b_post", { services: w.b_services.map(serviceName).join(t("list_separator")) || "—" })))));
    show("pick");
  }

  function forgetWindow() {
    localStorage.removeItem(`hallq${hallq.root}.caller.window`);
    windowId = null;
    if (socket) { socket.disconnect(); socket = null; }
  }

  // another clerk is signed in there: ask before taking the window over (audited on the server)
  function askTakeOver(id, message) {
    $("take-over-why").textContent = message;
    $("take-over").dataset.window = id;
    $("take-over").showModal();
  }
  $("take-over").addEventListener("close", () => {
    if ($("take-over").returnValue === "ok") openWindow($("take-over").dataset.window, true);
  });

  async function openWindow(id, takeOver = false) {
    error("");
    try {
      await hallq.api("POST", `/windows/${id}/open`, takeOver ? { take_over: true } : undefined);
    } catch (e) {
      if (windowId === id) forgetWindow();
      pickWindow();
      if (e.code === "window_staffed") return askTakeOver(id, e.message);
      return error(e.message);
    }
    windowId = id;
    localStorage.setItem(`hallq${hallq.root}.caller.window`, id);
    const w = hall.windows.find((x) => x.id === id);
    $("desk-title").replaceChildren(t("window_number", { number: w.number }), " ", el("span", { class: "en" }, w.name));
    $("who").textContent = me.username;
    show("desk");
    if (socket) socket.disconnect();
    socket = hallq.connect(null, [`window:${id}`], {
      // a new version of the hall's configuration: services and windows as they are now
      config_changed: async () => { hall = await hallq.api("GET", "/hall").catch(() => hall); },
      snapshot: (s) => { if (s.room === `window:${id}`) render(s); },
      queue_changed: refreshSoon, ticket_called: refreshSoon, ticket_finished: refreshSoon,
      ticket_no_show: refreshSoon, ticket_transferred: refreshSoon, window_changed: refreshSoon,
      ticket_recalled: refreshSoon, ticket_started: refreshSoon, ticket_requeued: refreshSoon,
      ticket_rated: refreshSoon,  // a bad rating the clerk may appeal
      // the server ended the socket: the session may have ended (deactivated, a new password, logged out)
      disconnect: (reason) => { if (reason === "io server disconnect") stillSignedIn(); },
    }, (up) => $("live").classList.toggle("on", up));
    await refresh();
  }

  async function stillSignedIn() {
    try {
      await hallq.api("GET", "/session");
    } catch (e) {
      if (e.status !== 401) return;
      forgetWindow();
      me = null;
      $("password").value = "";
      show("login");
      error(t("signed_out"));
    }
  }

  function refreshSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, 120);
  }
  async function refresh() {
    try { render(await hallq.api("GET", `/windows/${windowId}`)); } catch (e) { error(e.message); }
  }

  function render(s) {
    if (s.window.clerk && s.window.clerk !== me.username) {  // taken over from another caller
      forgetWindow();
      pickWindow();
      return error(t("taken_over", { clerk: s.window.clerk }));
    }
    snapshot = s;
    const state = s.window.state, current = s.current, busy = !!current;
    $("state").textContent = t(`state_${state}`);
    $("state").className = `badge ${state}`;
    $("current-number").textContent = current ? current.number : "—";
    $("current-service").replaceChildren(...(current
      ? [serviceName(current.service_id), " ", el("span", { class: "en" }, t(current.status === "serving" ? "serving" : "called"))]
      : [t("idle")]));
    $("current-meta").textContent = current
      ? t("issued_and_recalls", { time: time(current.issued_at), recalls: current.recalls }) : "";
    const can = {
      "call-next": !busy && state === "open", next: busy && state === "open", recall: busy && current.status === "called",
      start: busy && current.status === "called", finish: busy, "no-show": busy && current.status === "called",
      transfer: busy, pause: state !== "closed", close: !busy,
    };
    // a greyed-out action says why, under its name (CSS shows data-why)
    const notOpen = t(state === "paused" ? "why_paused" : "why_not_open");
    const why = {
      "call-next": busy ? t("why_finish_first") : notOpen,
      next: busy ? notOpen : t("why_nothing_current"),
      recall: busy ? t("why_started") : t("why_nothing_current"),
      start: busy ? t("why_started") : t("why_nothing_current"),
      finish: t("why_nothing_current"),
      "no-show": busy ? t("why_started") : t("why_nothing_current"),
      transfer: t("why_nothing_current"),
      close: t("why_finish_first"),
      pause: t("why_closed"),
    };
    $("pause").dataset.act = state === "paused" ? "resume" : "pause";
    $("pause").textContent = t(state === "paused" ? "resume" : "pause");
    for (const button of document.querySelectorAll(".actions button")) {
      const act = button.id === "pause" ? "pause" : button.dataset.act;
      button.disabled = !can[act];
      if (button.disabled) button.dataset.why = why[act]; else delete button.dataset.why;
    }
    $("case-box").classList.toggle("hidden", !busy);
    if (!busy) $("case-number").value = "";
    // 申诉: the clerk may appeal a bad rating of this window today, once, with a reason
    const bad = s.bad_ratings || [];
    $("bad-rating-count").textContent = bad.length;
    $("bad-ratings").replaceChildren(...bad.map((r) => el("tr", { "data-rating": r.rating_id },
      el("td", {}, el("b", {}, r.number)), el("td", {}, t(`level_${r.level}`)),
      el("td", {}, r.reasons.join(t("list_separator"))),
      el("td", {}, r.appeal ? t(`appeal_${r.appeal}`)
        : el("button", { class: "call-this", onclick: () => appeal(r) }, t("appeal"))))));
    $("no-show-count").textContent = s.no_shows.length;
    $("no-shows").replaceChildren(...s.no_shows.map((ticket) => el("tr", {},
      el("td", {}, el("b", {}, ticket.number)), el("td", {}, serviceName(ticket.service_id)),
      el("td", {}, time(ticket.finished_at)),
      el("td", {}, el("button", { class: "call-this", "data-requeue": ticket.id, onclick: () => requeue(ticket) }, t("requeue"))))));
    $("queue").replaceChildren(...s.waiting.map((ticket) => el("tr", {},
      el("td", {}, el("b", {}, ticket.number),
        ticket.priority === "green" ? el("span", { class: "tag-green" }, ` ${t("green_tag")}`) : null),
      el("td", {}, serviceName(ticket.service_id), ticket.a_service ? null : el("span", { class: "tag-b" }, " (B)")),
      el("td", {}, time(ticket.issued_at)),
      el("td", {}, el("button", {
        disabled: busy || state !== "open" ? "" : null, onclick: () => act("call", { ticket_id: ticket.id }),
      }, t("call_this"))))));
  }

  // 过号 is one tap: for a few seconds it can be taken back (the ticket waits again in its old place); later,
  // from today's no-shows below
  const UNDO_S = 10;
  let undoTimer = null;
  function offerUndo(ticket) {
    $("undo-text").textContent = t("no_show_done", { number: ticket.number });
    $("undo-button").onclick = () => { $("undo").classList.add("hidden"); requeue(ticket); };
    $("undo").classList.remove("hidden");
    clearTimeout(undoTimer);
    undoTimer = setTimeout(() => $("undo").classList.add("hidden"), UNDO_S * 1000);
  }
  async function requeue(ticket) {
    try {
      await hallq.api("POST", `/windows/${windowId}/requeue`, { ticket_id: ticket.id });
      await refresh();
    } catch (e) { error(e.message); }
  }

  async function appeal(rating) {
    const reason = prompt(t("appeal_reason", { number: rating.number }));
    if (!reason || !reason.trim()) return;
    try {
      await hallq.api("POST", `/ratings/${rating.rating_id}/appeal`, { reason: reason.trim() });
      await refresh();
    } catch (e) { error(e.message); }
  }

  // the case numbers typed or scanned for the visit in hand go with its rating to the province
  async function sendCases() {
    const numbers = $("case-number").value.split(/[\s,，;；]+/).filter(Boolean);
    if (!numbers.length) return;
    await hallq.api("POST", `/windows/${windowId}/evaluation`, { cases: numbers.map((case_number) => ({ case_number })) });
    $("case-number").value = "";
  }

  async function act(verb, body) {
    error("");
    if (verb === "transfer") return openTransfer();
    try {
      if (verb === "finish" || verb === "next") await sendCases();
      const result = await hallq.api("POST", `/windows/${windowId}/${verb}`, body);
      if (verb === "no-show" && result.ticket) offerUndo(result.ticket);
      if ((verb === "call-next" || verb === "next") && !result.ticket) error(t("nothing_to_call"));
      if (verb === "close") { forgetWindow(); return pickWindow(); }
      await refresh();
    } catch (e) {
      error(e.message);
    }
  }

  // 转移: to a service (by name, with its zone's name) or to an open window (each window's state now; a
  // closed one cannot take the ticket: nobody would call it)
  async function openTransfer() {
    hall = await hallq.api("GET", "/hall").catch(() => hall);
    const zoneName = (id) => named(hall.zones.find((z) => z.id === id) || { name: id });
    $("transfer-number").textContent = snapshot.current ? snapshot.current.number : "";
    $("transfer-service").replaceChildren(el("option", { value: "" }, "—"),
      ...hall.services.filter((s) => !s.retiring).map((s) => el("option", { value: s.id },
        t("in_zone", { service: named(s), zone: zoneName(s.zone_id) }))));
    $("transfer-window").replaceChildren(el("option", { value: "" }, "—"),
      ...hall.windows.filter((w) => w.id !== windowId).map((w) => el("option", {
        value: w.id, disabled: w.state === "closed" ? "" : null, "data-state": w.state,
      }, t("window_state", { window: `${t("window_number", { number: w.number })} ${w.name}`, state: t(`state_${w.state}`) }))));
    $("transfer").showModal();
  }
  $("transfer").addEventListener("close", async () => {
    if ($("transfer").returnValue !== "ok") return;
    const service = $("transfer-service").value, target = $("transfer-window").value;
    const body = service ? { service_id: service } : { window_id: target };
    try { await hallq.api("POST", `/windows/${windowId}/transfer`, body); await refresh(); } catch (e) { error(e.message); }
  });

  for (const button of document.querySelectorAll(".actions button")) {
    button.addEventListener("click", () => act(button.dataset.act));
  }
  // 换窗口: pick another (opening it signs out of this one, which closes) or go back
  $("change-window").addEventListener("click", () => { error(""); pickWindow(); });
  $("back-to-desk").addEventListener("click", () => { if (windowId) { show("desk"); refresh(); } });
  // 签退: close the window (only with no ticket in hand), then end the session
  async function signOut() {
    error("");
    if (windowId && snapshot && snapshot.current) return error(t("sign_out_first"));
    try {
      if (windowId && snapshot && snapshot.window.state !== "closed") await hallq.api("POST", `/windows/${windowId}/close`);
      await hallq.api("DELETE", "/session");
    } catch (e) {
      return error(e.message);
    }
    forgetWindow();
    snapshot = null;
    me = null;
    $("password").value = "";
    show("login");
  }
  $("sign-out").addEventListener("click", signOut);
  $("sign-out-pick").addEventListener("click", signOut);
  $("login").addEventListener("submit", async (event) => {
    event.preventDefault();
    error("");
    try {
      await hallq.api("POST", "/session", { username: $("username").value, password: $("password").value });
      await boot();
    } catch (e) {
      error(e.message);
    }
  });
  boot();
})();
