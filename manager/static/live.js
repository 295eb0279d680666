// The managers' live page: /api/v1/stats/live, refreshed on every push to the manager room and every 15 s.
"use strict";
(() => {
  const { el, api } = hallq;
  const STATES = { open: "开放 open", paused: "暂停 paused", closed: "关闭 closed" };
  const ALERTS = {
    zone: (a) => `${a.name}：` + a.reason.split("+").map((r) => (r === "long_wait" ? "等候过长 wait too long" : "排队过多 queue too long")).join("，"),
    window_paused: (a) => `${a.name} 暂停 ${Math.round(a.paused_s / 60)} 分钟 · paused ${Math.round(a.paused_s / 60)} min`,
    device: (a) => `设备故障 device fault：${a.device} ${a.message || a.state}`,
    follow_up_overdue: (a) => `差评回访逾期 ${a.count} 条 · ${a.count} overdue follow-ups：` +
      a.oldest.map((f) => `${f.number}（${f.window ? f.window.name : ""}，${f.due_on}）`).join("、"),
  };
  const mmss = (s) => (s === null || s === undefined ? "—" : `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, "0")}`);
  const pct = (x) => (x === null || x === undefined ? "—" : `${(x * 100).toFixed(1)}%`);

  function render(live) {
    document.getElementById("at").textContent = live.at.slice(11, 19);
    const t = live.today;
    document.getElementById("today").replaceChildren(
      ...[
        ["今日取号", "Tickets", t.tickets], ["已办结", "Served", t.served], ["过号", "No-shows", t.no_show],
        ["平均等候", "Mean wait", mmss(t.mean_wait_s)], ["满意率", "Satisfied", pct(t.satisfaction_rate)],
        ["差评", "Bad ratings", t.bad_ratings],
      ].map(([zh, en, value]) => el("div", { class: "m-fact" }, el("b", {}, value), zh, el("span", { class: "en" }, en))),
    );
    const alerts = document.getElementById("alerts");
    alerts.replaceChildren(
      ...(live.alerts.length
        ? live.alerts.map((a) => el("li", { class: `m-alert ${a.kind}` },
          a.kind === "follow_up_overdue" ? el("a", { href: "/manager/follow-ups?status=overdue" }, ALERTS[a.kind](a))
            : ALERTS[a.kind] ? ALERTS[a.kind](a) : a.kind))
        : [el("li", { class: "muted" }, "一切正常 · all clear")]),
    );
    document.getElementById("zones").replaceChildren(
      ...live.zones.map((z) =>
        el("div", { class: `m-zone${z.alert ? " alert" : ""}`, "data-zone": z.id },
          el("h3", {}, z.name, el("span", { class: "en" }, z.name_en)),
          el("div", { class: "m-big" }, z.waiting, el("small", {}, " 人等候 waiting")),
          el("div", {}, `最长等候 longest ${mmss(z.longest_wait_s)} · 开放窗口 open ${z.open_windows}`)),
      ),
    );
    document.getElementById("windows").replaceChildren(
      ...live.windows.map((w) =>
        el("div", { class: `m-window ${w.state}`, "data-window": w.id },
          el("b", {}, w.label),
          el("div", {}, STATES[w.state] || w.state, w.paused_s !== null ? ` ${Math.round(w.paused_s / 60)}′` : ""),
          el("div", { class: "m-current" }, w.current ? `${w.current.number} ${w.current.status === "serving" ? "办理中" : "已叫号"}` : "—"),
          el("small", { class: "muted" }, w.clerk || "")),
      ),
    );
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
    "ticket_transferred", "queue_changed", "window_changed", "device_status", "zone_alert", "ticket_rated",
    "follow_up_changed", "snapshot"];
  const dot = document.getElementById("live-dot");
  hallq.connect(null, ["manager"], Object.fromEntries(events.map((e) => [e, soon])), (on) => dot.classList.toggle("on", on));
  refresh();
  setInterval(refresh, 15000);
})();
