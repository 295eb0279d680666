// The touch kiosk: zone -> service -> ticket on screen, or an appointment's check-in. Returns to the start
// by itself.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const { el, t, named } = hallq;
  const token = hallq.deviceToken("kiosk");
  const kioskId = new URL(location.href).searchParams.get("kiosk") || localStorage.getItem(`hallq${hallq.root}.kiosk.id`);
  if (kioskId) localStorage.setItem(`hallq${hallq.root}.kiosk.id`, kioskId);
  let hall = null, waiting = {}, zone = null, green = false, resetTimer = null, busy = false;
  // the ticket on screen and its print job; print_status pushes say how the printing went
  let shown = null, printTimer = null;
  const PRINT_GIVE_UP_S = 25;
  hallq.clock($("clock"));

  function show(step) {
    for (const s of ["zone", "service", "identity", "appointment", "notify", "ticket"]) {
      $(`step-${s}`).classList.toggle("hidden", s !== step);
    }
  }
  function error(message) {
    $("error").textContent = message || "";
    $("error").classList.toggle("hidden", !message);
  }
  // 中文 / English: for one citizen; the next one finds the kiosk in the hall's language again
  const DEFAULT_LANG = "zh-CN";
  function switchLanguage(lang) {
    const url = new URL(location.href);
    if (lang) url.searchParams.set("lang", lang); else url.searchParams.delete("lang");
    location.assign(url.toString());
  }

  // a new version of the hall's configuration: taken at once on the start screen; a citizen in the middle of
  // a choice finishes it on the hall they began with, and the next one meets the new one
  let nextHall = null;
  async function onConfigChanged() {
    try {
      nextHall = await hallq.api("GET", "/hall", undefined, token);
    } catch (e) {
      return;  // offline for a moment: the next change, or the next reload, brings it
    }
    if (zone === null && shown === null && asking === null && code === null) takeNextHall();
  }
  function takeNextHall() {
    if (!nextHall) return;
    hall = nextHall;
    nextHall = null;
    $("hall-name").textContent = named(hall);
    renderZones();
  }

  function reset() {
    if (hallq.lang !== DEFAULT_LANG) { switchLanguage(null); return; }
    takeNextHall();
    clearTimeout(resetTimer);
    clearTimeout(printTimer);
    shown = null;
    asking = null; typed = ""; code = null;
    zone = null; green = false;
    $("green").setAttribute("aria-pressed", "false");
    error("");
    renderZones();
    show("zone");
  }

  // outside issuing hours the start screen says so, with when tickets are issued next, before anyone chooses
  function renderClosed() {
    const issuing = hall.issuing || { open: true };
    $("closed-note").classList.toggle("hidden", issuing.open);
    $("appointment").disabled = !issuing.open;
    if (issuing.open) return;
    const when = issuing.next_open ? new Date(issuing.next_open).toLocaleString(hallq.lang === "en" ? "en-GB" : "zh-CN", {
      timeZone: hall.timezone, month: "long", day: "numeric", weekday: "short", hour: "2-digit", minute: "2-digit", hour12: false,
    }) : null;
    $("closed-note").replaceChildren(el("b", {}, hallq.pick(issuing.message)),
      when ? el("span", {}, t("next_open", { when })) : "");
  }

  function renderZones() {
    renderClosed();
    const closed = hall.issuing && !hall.issuing.open;
    $("zones").replaceChildren(...hall.zones.map((z) => el("button", {
      class: "tile", "data-zone": z.id, disabled: closed ? "" : null, onclick: () => pickZone(z),
    }, el("span", { class: "prefix" }, z.prefix), el("span", { class: "tile-name" }, named(z)),
      el("span", { class: "meta" }, t("waiting_in_zone", { count: waiting[z.id] ?? 0 })))));
  }

  function pickZone(z) {
    zone = z;
    error("");
    $("zone-title").replaceChildren(named(z));
    renderServices();
    show("service");
    armReset(60);
  }

  // a service being removed takes no tickets; with 绿色通道 pressed, a service without one is shown greyed
  function renderServices() {
    const services = hall.services.filter((s) => s.zone_id === zone.id && !s.retiring);
    $("services").replaceChildren(...services.map((s) => {
      const noLane = green && s.green_channel === false;
      const hours = s.issuing_hours ? t("issuing_hours", { from: s.issuing_hours[0], to: s.issuing_hours[1] }) : null;
      return el("button", {
        class: "tile", "data-service": s.id, disabled: noLane ? "" : null, onclick: () => take(s),
      }, named(s), el("span", { class: "meta" }, noLane ? t("no_green_channel") : t("documents", { count: s.materials.length })),
      hours ? el("span", { class: "meta" }, hours) : null);
    }));
  }

  // 限号: a service may ask who takes the ticket (a mobile number or an ID card number), typed on a keypad
  const ASK = {
    phone: { title: "ask_phone", keys: "123456789 0", max: 11, field: "phone",
      groups: [3, 4, 4] },
    id_card: { title: "ask_id_card", keys: "123456789X0", max: 18,
      field: "id_number", groups: [6, 8, 4] },
  };
  let asking = null, typed = "";

  // a touch keypad: one button per character of `keys` (a space leaves a gap), then delete
  function keypad(container, keys, press, erase) {
    const buttons = [...keys].map((key) => key === " " ? el("span") : el("button", {
      class: "key", "data-key": key, onclick: () => press(key),
    }, key));
    buttons.push(el("button", { class: "key", "data-key": "back", "aria-label": t("delete"), onclick: erase }, "⌫"));
    container.replaceChildren(...buttons);
  }

  function grouped(text, groups) {
    const parts = [];
    let at = 0;
    for (const size of groups) { if (at < text.length) parts.push(text.slice(at, at + size)); at += size; }
    return parts.join(" ");
  }

  // a public screen: after its first group (region or carrier), only the key just pressed is shown
  function masked(text, ask) {
    return [...text].map((c, i) => (i < ask.groups[0] || i === text.length - 1 ? c : "•")).join("");
  }

  function renderTyped() {
    const ask = ASK[asking.service.ask_identity];
    $("identity-value").textContent = grouped(masked(typed, ask), ask.groups) || "\u00a0";
    $("identity-ok").disabled = typed.length !== ask.max;
  }

  function askIdentity(service) {
    const ask = ASK[service.ask_identity];
    asking = { service };
    typed = "";
    $("identity-title").textContent = t(ask.title);
    $("identity-why").textContent = t("per_person_limit",
      { service: named(service), limit: service.tickets_per_person_per_day });
    keypad($("keypad"), ask.keys, (key) => { if (typed.length < ask.max) typed += key; renderTyped(); },
      () => { typed = typed.slice(0, -1); renderTyped(); });
    renderTyped();
    show("identity");
    armReset(90);
  }

  // 预约: the citizen types the booking's code (digits on the keypad) or scans it (a scanner types like a
  // keyboard, letters and "-" included, and ends with Enter); the booking says which service it is for
  const CODE_MAX = 64;
  let code = null;

  function renderCode() {  // the citizen is typing again: an earlier refusal no longer applies
    error("");
    $("appointment-value").textContent = code || "\u00a0";
    $("appointment-ok").disabled = code.length < 4;
  }

  function askCode() {
    code = "";
    error("");
    keypad($("appointment-keypad"), "1234567890", typeCode, () => { code = code.slice(0, -1); renderCode(); });
    renderCode();
    show("appointment");
    armReset(90);
  }

  function typeCode(key) {
    if (code !== null && code.length < CODE_MAX && /^[A-Za-z0-9-]$/.test(key)) code += key.toUpperCase();
    renderCode();
  }

  async function checkIn() {
    if (busy || code === null || code.length < 4) return;
    busy = true;
    error("");
    try {
      const ticket = await hallq.api("POST", "/tickets", {
        appointment_code: code, kiosk_id: kioskId || undefined,
      }, token);
      code = null;
      renderTicket(ticket, hall.services.find((s) => s.id === ticket.service_id));
    } catch (e) {
      error(e.message);
      armReset(90);
    } finally {
      busy = false;
    }
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
      typed = "";  // the number leaves the public screen at once, taken or refused
      if (asking) renderTyped();
      asking = null;
      renderTicket(ticket, service);
    } catch (e) {
      error(e.message);
      if (asking) { typed = ""; renderTyped(); armReset(90); }
    } finally {
      busy = false;
    }
  }

  function renderTicket(ticket, service) {
    $("t-service").textContent = named(service);
    $("t-number").textContent = ticket.number;
    $("t-ahead").textContent = t("people", { count: ticket.ahead });
    $("t-wait").textContent = hallq.wait(ticket);
    shown = { ticket, jobId: ticket.print && ticket.print.job_id };
    $("t-image").classList.add("hidden");
    if (ticket.print && ticket.print.ok) {
      printing();
    } else {
      printFailed(ticket.print && ticket.print.error);
    }
    $("t-qr").src = `${ticket.status_url}/qr.svg`;
    $("t-materials").classList.toggle("hidden", service.materials.length === 0);
    $("t-materials-list").replaceChildren(...service.materials.map((m) => el("li", {}, m)));
    const messages = hall.messages && hall.messages.enabled && ticket.status === "waiting";
    $("t-notify-box").classList.toggle("hidden", !messages);
    $("t-notify").classList.remove("hidden");
    $("t-notify-done").classList.add("hidden");
    show("ticket");
    armReset(30);
  }

  // 短信提醒: the citizen may leave a mobile number for "your turn is near" and "called" messages
  let phoneTyped = "";
  function renderNotify() {
    const ask = ASK.phone;
    $("notify-value").textContent = grouped(masked(phoneTyped, ask), ask.groups) || "\u00a0";
    $("notify-ok").disabled = phoneTyped.length !== ask.max;
  }
  function askNotify() {
    if (!shown) return;
    phoneTyped = "";
    error("");
    $("notify-why").textContent = t("notify_why", { count: hall.messages.notify_when_ahead, number: shown.ticket.number });
    keypad($("notify-keypad"), ASK.phone.keys, (key) => { if (phoneTyped.length < ASK.phone.max) phoneTyped += key; renderNotify(); },
      () => { phoneTyped = phoneTyped.slice(0, -1); renderNotify(); });
    renderNotify();
    show("notify");
    armReset(90);
  }
  async function sendNotify() {
    if (busy || !shown) return;
    busy = true;
    try {
      const answer = await hallq.api("POST", `/tickets/${shown.ticket.id}/notify`, { phone: phoneTyped }, token);
      $("t-notify").classList.add("hidden");
      $("t-notify-done").textContent = t("notify_done", { phone: answer.phone });
      $("t-notify-done").classList.remove("hidden");
      show("ticket");
      armReset(30);
    } catch (e) {
      error(e.message);
    } finally {
      phoneTyped = "";  // the number leaves the public screen at once
      renderNotify();
      busy = false;
    }
  }

  function printing() {
    $("t-print").replaceChildren(el("p", { class: "print-wait" }, t("printing")));
    clearTimeout(printTimer);
    printTimer = setTimeout(() => printFailed(t("printer_silent")), PRINT_GIVE_UP_S * 1000);
  }

  function printed() {
    clearTimeout(printTimer);
    $("t-print").replaceChildren(el("p", { class: "print-ok" }, t("take_ticket")));
  }

  // Paper out, jam, offline: the number stays valid; the citizen photographs or scans the ticket on screen.
  function printFailed(reason) {
    clearTimeout(printTimer);
    const { ticket } = shown;
    $("t-print").replaceChildren(el("div", { class: "print-bad", role: "alert" },
      el("p", {}, t("not_printed")),
      reason ? el("p", { class: "print-reason" }, hallq.pick(reason)) : "",
      el("button", { class: "reprint", id: "reprint", onclick: reprint }, t("print_again"))));
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

  $("lang-switch")?.addEventListener("click", (event) => switchLanguage(event.currentTarget.dataset.lang));
  $("back").addEventListener("click", () => {  // back to the areas, in the language the citizen chose
    zone = null; green = false;
    $("green").setAttribute("aria-pressed", "false");
    error("");
    takeNextHall();
    renderZones();
    show("zone");
    armReset(60);
  });
  $("identity-back").addEventListener("click", () => { asking = null; typed = ""; error(""); pickZone(zone); });
  $("identity-ok").addEventListener("click", () => {
    if (asking) take(asking.service, { [ASK[asking.service.ask_identity].field]: typed });
  });
  $("appointment").addEventListener("click", askCode);
  $("appointment-back").addEventListener("click", () => { code = null; error(""); show("zone"); armReset(60); });
  $("appointment-ok").addEventListener("click", checkIn);
  document.addEventListener("keydown", (event) => {  // a code scanner, or a keyboard
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    // a booking's QR code scanned on the start screen: the scanner types its code; take it as a check-in
    const onStart = !$("step-zone").classList.contains("hidden") && !$("appointment").disabled;
    if (code === null && onStart && /^[A-Za-z0-9]$/.test(event.key)) askCode();
    if (code === null) return;
    event.preventDefault();  // Enter must not also press whichever button has the focus
    if (event.key === "Enter") checkIn();
    else if (event.key === "Backspace") { code = code.slice(0, -1); renderCode(); }
    else typeCode(event.key);
  });
  $("done").addEventListener("click", reset);
  $("t-notify").addEventListener("click", askNotify);
  $("notify-ok").addEventListener("click", sendNotify);
  $("notify-back").addEventListener("click", () => { phoneTyped = ""; error(""); show("ticket"); armReset(30); });
  $("green").addEventListener("click", () => {
    green = !green;
    $("green").setAttribute("aria-pressed", String(green));
    if (zone) renderServices();
  });

  async function start() {
    if (!token) {
      error(t("no_token"));
      return;
    }
    // join the kiosk's room first: a citizen quick enough to take a ticket at once still hears how it printed
    hallq.connect(token, kioskId ? ["hall", `kiosk:${kioskId}`] : ["hall"], {
      print_status: onPrintStatus,
      snapshot: (s) => { if (s.waiting) { waiting = s.waiting; if (hall && !zone) renderZones(); } },
      queue_changed: (q) => { waiting[q.zone_id] = q.waiting; if (hall && !zone) renderZones(); },
      config_changed: onConfigChanged,
    });
    try {
      hall = await hallq.api("GET", "/hall", undefined, token);
    } catch (e) {
      error(`${e.message}`);
      return;
    }
    $("hall-name").textContent = named(hall);
    renderZones();
    // issuing opens and closes with the clock (opening time, lunch, stop-issuing): the start screen follows
    setInterval(onConfigChanged, 60_000);
  }
  start();
})();
