// The managers' live page: /api/v1/stats/live, refreshed on every push to the manager room and every 15 s.
"use strict";
(() => {
  const { el, api, t, named } = hallq;
  const ALERTS = {
    zone: (a) => t("zone_alert", {
      zone: a.name, reasons: a.reason.split("+").map((r) => t(["long_wait", "no_window_open"].includes(r) ? r : "long_queue")).join(t("list_separator")),
    }),
    window_paused: (a) => t("window_paused", { window: a.name, minutes: Math.round(a.paused_s / 60) }),
    device: (a) => t("device_down_for", { device: a.device, state: t(`device_${a.state}`), minutes: Math.round(a.for_s / 60), why: hallq.pick(a.message) || "" }),
    province: (a) => t("province_backlog", { count: a.pending, minutes: Math.round(a.oldest_pending_s / 60), why: hallq.pick(a.last_error) || "" }),
    follow_up_overdue: (a) => t("overdue_follow_ups", { count: a.count }) +
      a.oldest.map((f) => `${f.number} (${f.window ? f.window.name : ""}, ${f.due_on})`).join(t("list_separator")),
  };
  const mmss = (s) => {
    if (s === null || s === undefined) return "—";
    const whole = Math.round(s);
    return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
  };
  const pct = (x) => (x === null || x === undefined ? "—" : `${(x * 100).toFixed(1)}%`);

  function render(live) {
    document.getElementById("at").textContent = live.at.slice(11, 19);
    const today = live.today;
    document.getElementById("today").replaceChildren(
      ...[
        ["tickets_today", today.tickets], ["served", today.served], ["no_shows", today.no_show],
        ["mean_wait", mmss(today.mean_wait_s)], ["satisfied", pct(today.satisfaction_rate)],
        ["bad_ratings", today.bad_ratings],
      ].map(([key, value]) => el("div", { class: "m-fact" }, el("b", {}, value), t(key))),
    );
    const alerts = document.getElementById("alerts");
    alerts.replaceChildren(
      ...(live.alerts.length
        ? live.alerts.map((a) => el("li", { class: `m-alert ${a.kind}` },
          a.kind === "follow_up_overdue" ? el("a", { href: "/manager/follow-ups?status=overdue" }, ALERTS[a.kind](a))
            : ALERTS[a.kind] ? ALERTS[a.kind](a) : a.kind))
        : [el("li", { class: "muted" }, t("all_clear"))]),
    );
    document.getElementById("zones").replaceChildren(
      ...live.zones.map((z) =>
        el("button", { type: "button", class: `m-zone${z.alert ? " alert" : ""}`, "data-zone": z.id, onclick: () => showWaiting(z) },
          el("h3", {}, named(z)),
          el("div", { class: "m-big" }, z.waiting, el("small", {}, ` ${t("waiting")}`)),
          el("div", {}, t("longest_and_open", { longest: mmss(z.longest_wait_s), open: z.open_windows }))),
      ),
    );
    document.getElementById("windows").replaceChildren(
      ...live.windows.map((w) =>
        el("div", { class: `m-window ${w.state}`, "data-window": w.id },
          el("b", {}, w.label),
          el("div", {}, t(`state_${w.state}`), w.paused_s !== null ? ` ${mmss(w.paused_s)}` : ""),
          el("div", { class: "m-current" },
            w.current ? `${w.current.number} ${t(w.current.status === "serving" ? "serving" : "called")}` : "—"),
          el("small", { class: "muted" }, w.clerk || ""),
          w.state !== "closed" ? el("button", { type: "button", class: "link m-close", onclick: () => closeWindow(w) }, t("close_window")) : null),
      ),
    );
    // every device the hall has heard of: its state, and since when (a printer, a board, a pad, an evaluator)
    document.querySelector("#devices tbody").replaceChildren(...(live.devices || []).map((d) =>
      el("tr", { "data-device": d.device, class: d.state === "ok" ? "" : "overdue" },
        el("td", {}, el("code", {}, d.device)), el("td", {}, t(`device_${d.state}`)),
        el("td", {}, t("since", { time: d.at.slice(11, 16), minutes: Math.round(d.for_s / 60) })),
        el("td", { class: "muted" }, d.state === "ok" ? "" : hallq.pick(d.message) || ""))));
    // 好差评 to the province: what waits, what arrived, what fails and the province's last answer
    const province = live.province;
    document.getElementById("province").replaceChildren(...(province
      ? [el("span", { class: province.alert ? "overdue" : "" }, t("province_line", {
          pending: province.pending, delivered: province.delivered_today, failing: province.failing,
          minutes: Math.round(province.oldest_pending_s / 60) })),
        province.last_error ? el("div", { class: "overdue" }, t("province_answer", { why: hallq.pick(province.last_error) })) : ""]
      : [t("province_off")]));
    // 预约 today: places, booked, checked in, still to come, missed (爽约), cancelled; then the messages sent
    document.querySelector("#bookings tbody").replaceChildren(...(live.bookings || []).map((b) =>
      el("tr", { "data-service": b.service_id },
        el("td", {}, hallq.named(b)), el("td", {}, b.capacity), el("td", {}, b.booked),
        el("td", {}, b.checked_in), el("td", {}, b.pending), el("td", { class: b.no_show ? "overdue" : "" }, b.no_show),
        el("td", {}, b.cancelled))));
    const messages = live.messages;
    document.getElementById("messages").replaceChildren(messages
      ? el("span", { class: messages.failing ? "overdue" : "" }, t("messages_line", {
          sent: messages.sent, pending: messages.pending, failing: messages.failing, dropped: messages.dropped }))
      : t("messages_off"));
    // the latest ten with their send result: what a citizen who says "I got no message" is asked about
    document.querySelector("#message-list tbody").replaceChildren(...(messages ? messages.messages : []).map((m) =>
      el("tr", { "data-message": m.id, class: m.state === "pending" && m.attempts ? "overdue" : "" },
        el("td", {}, m.created_at.slice(11, 16)), el("td", {}, t(`message_${m.kind}`)),
        el("td", {}, m.params.number || m.params.code || ""), el("td", {}, t(`message_${m.state}`)),
        el("td", { class: "muted" }, hallq.pick(m.result) || ""))));
    if (openZone) showWaiting(openZone);
  }

  // the live page acts (both audited on the server): close a window a clerk left open; void a waiting ticket
  const problem = (message) => {
    const box = document.getElementById("live-error");
    box.textContent = message || "";
    box.classList.toggle("hidden", !message);
  };
  async function closeWindow(w) {
    if (!confirm(t("confirm_close", { window: w.label }))) return;
    try { await api("POST", `/windows/${w.id}/close`); problem(""); soon(); } catch (e) { problem(e.message); }
  }
  let openZone = null;
  async function showWaiting(z) {
    openZone = z;
    const box = document.getElementById("zone-waiting");
    const { tickets } = await api("GET", `/stats/waiting?zone=${encodeURIComponent(z.id)}`).catch(() => ({ tickets: [] }));
    box.replaceChildren(el("h3", {}, t("waiting_list", { zone: named(z) })), tickets.length ? el("div", { class: "m-table-wrap" },
      el("table", { class: "m-table", id: "waiting-tickets" }, el("tbody", {}, ...tickets.map((ticket) => el("tr", { "data-ticket": ticket.number },
        el("td", {}, ticket.number), el("td", {}, ticket.service_name), el("td", {}, mmss(ticket.waited_s)),
        el("td", {}, ticket.kiosk_id || "—"),
        el("td", {}, el("button", { type: "button", class: "void", onclick: async () => {
          const reason = prompt(t("void_reason"));
          if (!reason || !reason.trim()) return;
          try { await api("POST", `/tickets/${ticket.id}/cancel`, { reason }); problem(""); showWaiting(z); soon(); }
          catch (e) { problem(e.message); }
        } }, t("void")))))))) : el("p", { class: "muted" }, t("nobody_waiting")));
    box.classList.remove("hidden");
  }

  let pending = null;
  async function refresh() {
    pending = null;
    try {
      render(await api("GET", "/stats/live"));
    } catch (exc) {
      if (exc.status === 401 || exc.status === 403) location.href = `${hallq.root}/manager/login?next=${hallq.root}/manager`;
    }
  }
  const soon = () => { if (!pending) pending = setTimeout(refresh, 300); };
  const events = ["ticket_issued", "ticket_called", "ticket_recalled", "ticket_finished", "ticket_no_show",
    "ticket_transferred", "queue_changed", "window_changed", "device_status", "zone_alert", "ticket_rated", "province_status", "messages_status",
    "follow_up_changed", "snapshot", "ticket_cancelled"];
  const dot = document.getElementById("live-dot");
  hallq.connect(null, ["manager"], Object.fromEntries(events.map((e) => [e, soon])), (on) => dot.classList.toggle("on", on));
  refresh();
  setInterval(refresh, 15000);
})();
