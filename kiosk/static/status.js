// The citizen's phone: the ticket's progress, refreshed whenever the hall moves; the call itself pushed live.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const token = document.querySelector("main").dataset.token;
  const { t } = hallq;
  let timer = null, lastStatus = null, zoneId = null;

  function render(ticket) {
    zoneId = ticket.zone_id;  // a transfer may move the ticket to another zone
    $("s-service").textContent = (hallq.lang === "en" && ticket.service_name_en) || ticket.service_name;
    $("s-number").textContent = ticket.number;
    const called = (ticket.status === "called" || ticket.status === "serving") && ticket.window;
    $("s-state").textContent = called ? t("go_to_window", { number: ticket.window.number }) : t(ticket.status);
    $("card").classList.toggle("called", !!called);
    $("s-facts").classList.toggle("hidden", ticket.status !== "waiting");
    $("s-ahead").textContent = t("people", { count: ticket.ahead });
    $("s-wait").textContent = hallq.wait(ticket);
    if (called && lastStatus === "waiting" && navigator.vibrate) navigator.vibrate([300, 150, 300]);
    lastStatus = ticket.status;
    // the promise to vibrate holds while the ticket waits or is called, not after the visit
    $("s-note").classList.toggle("hidden", !["waiting", "called"].includes(ticket.status));
    const materials = ticket.materials || [];
    $("materials").classList.toggle("hidden", !materials.length || !["waiting", "called", "serving"].includes(ticket.status));
    $("materials-list").replaceChildren(...materials.map((m) => hallq.el("li", {}, m)));
    renderRating(ticket.rating);
    if (ticket.room) ticketId = Number(ticket.room.split(":")[1]);
    renderNotify(ticket.notify);
  }
  // 短信提醒: a number for "your turn is near" and "called" messages, for a citizen who steps out
  function renderNotify(notify) {
    const waiting = notify && (notify.available || notify.phone) && lastStatus === "waiting";
    $("notify").classList.toggle("hidden", !waiting);
    if (!waiting) return;
    $("notify-why").textContent = t("notify_why", { count: notify.when_ahead });
    $("notify-form").classList.toggle("hidden", !!notify.phone);
    $("notify-done").classList.toggle("hidden", !notify.phone);
    if (notify.phone) $("notify-done").textContent = t("notify_done", { phone: notify.phone });
  }
  let ticketId = null;
  $("notify-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("notify-send").disabled = true;
    try {
      await hallq.api("POST", `/tickets/${ticketId}/notify`, { phone: $("notify-phone").value, status_token: token });
      $("notify-phone").value = "";
      $("error").classList.add("hidden");
      refresh();
    } catch (e) {
      $("error").textContent = e.message;
      $("error").classList.remove("hidden");
    } finally {
      $("notify-send").disabled = false;
    }
  });
  // after the visit: rate it here (one rating per visit, for a while after it ended), or see how it was rated
  let ratingShown = false;
  function renderRating(rating) {
    const box = $("rate"), widget = $("rate-widget");
    box.classList.toggle("hidden", !rating || (!rating.open && !rating.level));
    if (!rating) return;
    if (rating.level) {
      const label = hallqRating.LABELS[rating.level];
      widget.replaceChildren(hallq.el("p", { class: "rate-done" }, t("thanks_for_rating", { label })));
    } else if (rating.open && !ratingShown) {
      ratingShown = true;
      hallqRating.mount(widget, rating.content, async (level, reasons, comment) => {
        const body = { level, ...(reasons && { reasons }), ...(comment && { comment }) };
        await hallq.api("POST", `/status/${encodeURIComponent(token)}/rating`, body);
        refresh();
      });
    }
  }
  async function refresh() {
    try {
      render(await hallq.api("GET", `/status/${encodeURIComponent(token)}`));
      $("error").classList.add("hidden");
    } catch (e) {
      $("error").textContent = e.status === 404 ? t("no_such_ticket") : e.message;
      $("error").classList.remove("hidden");
      if (e.status === 404) $("card").classList.add("hidden");  // no placeholder ticket for a wrong link
    }
  }
  const soon = () => { clearTimeout(timer); timer = setTimeout(refresh, 250); };

  refresh().then(async () => {
    const first = await hallq.api("GET", `/status/${encodeURIComponent(token)}`).catch(() => null);
    if (!first) return;
    const room = first.room;
    ticketId = Number(room.split(":")[1]);
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
