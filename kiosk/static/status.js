// The citizen's phone: the ticket's progress, refreshed whenever the hall moves; the call itself pushed live.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const token = document.querySelector("main").dataset.token;
  const STATES = {
    waiting: "等候中 · Waiting", called: "请到窗口办理 · Please go to the window", serving: "办理中 · Being served",
    finished: "已办结 · Done", no_show: "已过号 · Missed, please ask at the service desk", cancelled: "已取消 · Cancelled",
  };
  let timer = null, lastStatus = null, zoneId = null;

  function render(t) {
    zoneId = t.zone_id;  // a transfer may move the ticket to another zone
    $("s-service").textContent = t.service_name;
    $("s-number").textContent = t.number;
    const called = (t.status === "called" || t.status === "serving") && t.window;
    $("s-state").textContent = called ? `请到 ${t.window.number} 号窗口 · Window ${t.window.number}` : STATES[t.status] || t.status;
    $("card").classList.toggle("called", !!called);
    $("s-facts").classList.toggle("hidden", t.status !== "waiting");
    $("s-ahead").textContent = `${t.ahead} 人`;
    $("s-wait").textContent = hallq.minutes(t.estimated_wait_s);
    if (called && lastStatus === "waiting" && navigator.vibrate) navigator.vibrate([300, 150, 300]);
    lastStatus = t.status;
    renderRating(t.rating);
  }
  // after the visit: rate it here (one rating per visit, for a while after it ended), or see how it was rated
  let ratingShown = false;
  function renderRating(rating) {
    const box = $("rate"), widget = $("rate-widget");
    box.classList.toggle("hidden", !rating || (!rating.open && !rating.level));
    if (!rating) return;
    if (rating.level) {
      widget.replaceChildren(hallq.el("p", { class: "rate-done" }, `感谢评价：${hallqRating.LABELS[rating.level]}`));
    } else if (rating.open && !ratingShown) {
      ratingShown = true;
      hallqRating.mount(widget, rating.reasons, async (level, reasons) => {
        await hallq.api("POST", `/status/${encodeURIComponent(token)}/rating`, reasons ? { level, reasons } : { level });
        refresh();
      });
    }
  }
  async function refresh() {
    try {
      render(await hallq.api("GET", `/status/${encodeURIComponent(token)}`));
      $("error").classList.add("hidden");
    } catch (e) {
      $("error").textContent = e.status === 404 ? "没有这张票 · No such ticket" : e.message;
      $("error").classList.remove("hidden");
    }
  }
  const soon = () => { clearTimeout(timer); timer = setTimeout(refresh, 250); };

  refresh().then(async () => {
    const first = await hallq.api("GET", `/status/${encodeURIComponent(token)}`).catch(() => null);
    if (!first) return;
    const room = first.room, ticketId = Number(room.split(":")[1]);
    // refresh on this ticket's own events and on its zone's queue changes only, not on every call in the hall
    const mine = (e) => { if (e && e.ticket && e.ticket.id === ticketId) soon(); };
    const myZone = (q) => { if (q && q.zone_id === zoneId) soon(); };
    const socket = io({ ...hallq.socketOptions, auth: { status_token: token } });
    socket.on("connect", () => { for (const r of [room, "hall"]) socket.emit("join", { room: r }); soon(); });
    socket.on("connect_error", () => $("live").classList.remove("on"));
    socket.on("disconnect", () => $("live").classList.remove("on"));
    socket.on("snapshot", (s) => { if (s.room === room) { render(s); $("live").classList.add("on"); } });
    for (const event of ["ticket_called", "ticket_recalled", "ticket_started", "ticket_finished", "ticket_no_show",
                         "ticket_transferred"]) socket.on(event, mine);
    socket.on("queue_changed", myZone);
  });
})();
