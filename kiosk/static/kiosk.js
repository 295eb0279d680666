// The touch kiosk: zone -> service -> ticket on screen. Returns to the start by itself.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const { el } = hallq;
  const token = hallq.deviceToken("kiosk");
  const kioskId = new URL(location.href).searchParams.get("kiosk") || localStorage.getItem("hallq.kiosk.id");
  if (kioskId) localStorage.setItem("hallq.kiosk.id", kioskId);
  let hall = null, waiting = {}, zone = null, green = false, resetTimer = null, busy = false;
  hallq.clock($("clock"));

  function show(step) {
    for (const s of ["zone", "service", "ticket"]) $(`step-${s}`).classList.toggle("hidden", s !== step);
  }
  function error(message) {
    $("error").textContent = message || "";
    $("error").classList.toggle("hidden", !message);
  }
  function reset() {
    clearTimeout(resetTimer);
    zone = null; green = false;
    $("green").setAttribute("aria-pressed", "false");
    error("");
    renderZones();
    show("zone");
  }

  function renderZones() {
    $("zones").replaceChildren(...hall.zones.map((z) => el("button", {
      class: "tile", "data-zone": z.id, onclick: () => pickZone(z),
    }, el("span", { class: "prefix" }, z.prefix), z.name, el("span", { class: "en" }, z.name_en),
      el("span", { class: "meta" }, `等候 ${waiting[z.id] ?? 0} 人 · ${waiting[z.id] ?? 0} waiting`))));
  }

  function pickZone(z) {
    zone = z;
    error("");
    $("zone-title").replaceChildren(z.name, el("span", { class: "en" }, z.name_en));
    const services = hall.services.filter((s) => s.zone_id === z.id);
    $("services").replaceChildren(...services.map((s) => el("button", {
      class: "tile", "data-service": s.id, onclick: () => take(s),
    }, s.name, el("span", { class: "en" }, s.name_en),
      el("span", { class: "meta" }, `所需材料 ${s.materials.length} 项 · ${s.materials.length} documents`))));
    show("service");
    armReset(60);
  }

  async function take(service) {
    if (busy) return;
    busy = true;
    error("");
    try {
      const ticket = await hallq.api("POST", "/tickets", {
        service_id: service.id, priority: green ? "green" : "normal", kiosk_id: kioskId || undefined,
      }, token);
      renderTicket(ticket, service);
    } catch (e) {
      error(e.message);
    } finally {
      busy = false;
    }
  }

  function renderTicket(ticket, service) {
    $("t-service").replaceChildren(service.name, el("span", { class: "en" }, service.name_en));
    $("t-number").textContent = ticket.number;
    $("t-ahead").textContent = `${ticket.ahead} 人`;
    $("t-wait").textContent = hallq.minutes(ticket.estimated_wait_s);
    const printed = ticket.print && ticket.print.ok;
    $("t-print").replaceChildren(printed
      ? el("p", { class: "print-ok" }, "请取走打印的号票 · Please take your printed ticket")
      : el("p", { class: "print-bad" }, "号票未能打印，请拍照留存此屏幕，您的号码有效 · ",
          el("span", {}, "The ticket did not print: photograph this screen, your number is valid")));
    $("t-status").href = ticket.status_url;
    $("t-status").textContent = new URL(ticket.status_url, location.href).toString();
    $("t-materials").classList.toggle("hidden", service.materials.length === 0);
    $("t-materials-list").replaceChildren(...service.materials.map((m) => el("li", {}, m)));
    show("ticket");
    armReset(30);
  }

  function armReset(seconds) {
    clearTimeout(resetTimer);
    resetTimer = setTimeout(reset, seconds * 1000);
  }

  $("back").addEventListener("click", reset);
  $("done").addEventListener("click", reset);
  $("green").addEventListener("click", () => {
    green = !green;
    $("green").setAttribute("aria-pressed", String(green));
  });

  async function start() {
    if (!token) {
      error("此取号机没有令牌：请用 /kiosk?token=… 打开 · This kiosk has no token: open /kiosk?token=…");
      return;
    }
    try {
      hall = await hallq.api("GET", "/hall", undefined, token);
    } catch (e) {
      error(`${e.message}`);
      return;
    }
    $("hall-name").textContent = hall.name;
    $("hall-name-en").textContent = hall.name_en;
    renderZones();
    hallq.connect(token, ["hall"], {
      snapshot: (s) => { if (s.waiting) { waiting = s.waiting; if (!zone) renderZones(); } },
      queue_changed: (q) => { waiting[q.zone_id] = q.waiting; if (!zone) renderZones(); },
    });
  }
  start();
})();
