// The touch kiosk: zone -> service -> ticket on screen. Returns to the start by itself.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const { el } = hallq;
  const token = hallq.deviceToken("kiosk");
  const kioskId = new URL(location.href).searchParams.get("kiosk") || localStorage.getItem(`hallq${hallq.root}.kiosk.id`);
  if (kioskId) localStorage.setItem(`hallq${hallq.root}.kiosk.id`, kioskId);
  let hall = null, waiting = {}, zone = null, green = false, resetTimer = null, busy = false;
  // the ticket on screen and its print job; print_status pushes say how the printing went
  let shown = null, printTimer = null;
  const PRINT_GIVE_UP_S = 25;
  hallq.clock($("clock"));

  function show(step) {
    for (const s of ["zone", "service", "identity", "ticket"]) $(`step-${s}`).classList.toggle("hidden", s !== step);
  }
  function error(message) {
    $("error").textContent = message || "";
    $("error").classList.toggle("hidden", !message);
  }
  function reset() {
    clearTimeout(resetTimer);
    clearTimeout(printTimer);
    shown = null;
    asking = null; typed = "";
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

  // 限号: a service may ask who takes the ticket (a mobile number or an ID card number), typed on a keypad
  const ASK = {
    phone: { title: "请输入手机号", en: "Enter your mobile number", keys: "123456789 0", max: 11, field: "phone",
      groups: [3, 4, 4] },
    id_card: { title: "请输入身份证号", en: "Enter your ID card number", keys: "123456789X0", max: 18,
      field: "id_number", groups: [6, 8, 4] },
  };
  let asking = null, typed = "";

  function grouped(text, groups) {
    const parts = [];
    let at = 0;
    for (const size of groups) { if (at < text.length) parts.push(text.slice(at, at + size)); at += size; }
    return parts.join(" ");
  }

  function renderTyped() {
    const ask = ASK[asking.service.ask_identity];
    $("identity-value").textContent = grouped(typed, ask.groups) || "\u00a0";
    $("identity-ok").disabled = typed.length !== ask.max;
  }

  function askIdentity(service) {
    const ask = ASK[service.ask_identity];
    asking = { service };
    typed = "";
    $("identity-title").replaceChildren(ask.title, el("span", { class: "en" }, ask.en));
    const limit = service.tickets_per_person_per_day;
    $("identity-why").replaceChildren(`${service.name}：每人每天限取 ${limit} 个号`,
      el("span", { class: "en" }, `${service.name_en}: at most ${limit} a day per person`));
    const keys = [...ask.keys].map((key) => key === " " ? el("span") : el("button", {
      class: "key", "data-key": key, onclick: () => { if (typed.length < ask.max) typed += key; renderTyped(); },
    }, key));
    keys.push(el("button", { class: "key", "data-key": "back", "aria-label": "删除 · Delete",
      onclick: () => { typed = typed.slice(0, -1); renderTyped(); } }, "⌫"));
    $("keypad").replaceChildren(...keys);
    renderTyped();
    show("identity");
    armReset(90);
  }

  async function take(service, identity = {}) {
    if (busy) return;
    if (service.ask_identity && !Object.keys(identity).length) { error(""); askIdentity(service); return; }
    busy = true;
    error("");
    try {
      const ticket = await hallq.api("POST", "/tickets", {
        service_id: service.id, priority: green ? "green" : "normal", kiosk_id: kioskId || undefined, ...identity,
      }, token);
      asking = null; typed = "";
      renderTicket(ticket, service);
    } catch (e) {
      error(e.message);
      if (asking) armReset(90);
    } finally {
      busy = false;
    }
  }

  function renderTicket(ticket, service) {
    $("t-service").replaceChildren(service.name, el("span", { class: "en" }, service.name_en));
    $("t-number").textContent = ticket.number;
    $("t-ahead").textContent = `${ticket.ahead} 人`;
    $("t-wait").textContent = hallq.minutes(ticket.estimated_wait_s);
    shown = { ticket, jobId: ticket.print && ticket.print.job_id };
    $("t-image").classList.add("hidden");
    if (ticket.print && ticket.print.ok) {
      printing();
    } else {
      printFailed(ticket.print && ticket.print.error);
    }
    $("t-status").href = ticket.status_url;
    $("t-status").textContent = new URL(ticket.status_url, location.href).toString();
    $("t-materials").classList.toggle("hidden", service.materials.length === 0);
    $("t-materials-list").replaceChildren(...service.materials.map((m) => el("li", {}, m)));
    show("ticket");
    armReset(30);
  }

  function printing() {
    $("t-print").replaceChildren(el("p", { class: "print-wait" }, "正在打印号票… · Printing your ticket…"));
    clearTimeout(printTimer);
    printTimer = setTimeout(() => printFailed("打印超时 / No answer from the printer"), PRINT_GIVE_UP_S * 1000);
  }

  function printed() {
    clearTimeout(printTimer);
    $("t-print").replaceChildren(el("p", { class: "print-ok" }, "请取走打印的号票 · Please take your printed ticket"));
  }

  // Paper out, jam, offline: the number stays valid; the citizen photographs or scans the ticket on screen.
  function printFailed(reason) {
    clearTimeout(printTimer);
    const { ticket } = shown;
    $("t-print").replaceChildren(el("div", { class: "print-bad", role: "alert" },
      el("p", {}, "号票未能打印，您的号码有效。请拍照或扫描下方号票 · ",
        el("span", {}, "The ticket did not print. Your number is valid: photograph or scan the ticket below.")),
      reason ? el("p", { class: "print-reason" }, reason) : "",
      el("button", { class: "reprint", id: "reprint", onclick: reprint }, "重新打印 ", el("span", { class: "en" }, "Print again"))));
    $("t-image").src = `${ticket.status_url}/ticket.png`;
    $("t-image").classList.remove("hidden");
    armReset(90);
  }

  async function reprint() {
    if (!shown) return;
    try {
      const job = await hallq.api("POST", `/tickets/${shown.ticket.id}/print`, { kiosk_id: kioskId || undefined }, token);
      shown.jobId = job.job_id;
      printing();
    } catch (e) {
      $("t-print").append(el("p", { class: "print-reason" }, e.message));
    }
  }

  function onPrintStatus(status) {
    if (!shown || status.job_id !== shown.jobId) return;
    if (status.state === "printed") printed();
    else if (status.state === "failed") printFailed(status.message || status.error);
  }

  function armReset(seconds) {
    clearTimeout(resetTimer);
    resetTimer = setTimeout(reset, seconds * 1000);
  }

  $("back").addEventListener("click", reset);
  $("identity-back").addEventListener("click", () => { asking = null; typed = ""; error(""); pickZone(zone); });
  $("identity-ok").addEventListener("click", () => {
    if (asking) take(asking.service, { [ASK[asking.service.ask_identity].field]: typed });
  });
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
    hallq.connect(token, kioskId ? ["hall", `kiosk:${kioskId}`] : ["hall"], {
      print_status: onPrintStatus,
      snapshot: (s) => { if (s.waiting) { waiting = s.waiting; if (!zone) renderZones(); } },
      queue_changed: (q) => { waiting[q.zone_id] = q.waiting; if (!zone) renderZones(); },
    });
  }
  start();
})();
