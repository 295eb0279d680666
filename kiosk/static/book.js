// 预约 on a phone: service -> day -> slot -> name and mobile number -> the code and its QR code for the kiosk.
// The manage link (/book/<code>?key=...) opens straight on the booking, to see or cancel it.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const { el, t, named } = hallq;
  const main = document.querySelector("main");
  let info = null, service = null, day = null, slot = null, busy = false;

  function show(step) {
    for (const s of ["service", "slot", "form", "done"]) $(`step-${s}`).classList.toggle("hidden", s !== step);
    window.scrollTo(0, 0);
  }
  function error(message) {
    $("error").textContent = message || "";
    $("error").classList.toggle("hidden", !message);
    if (message) $("error").scrollIntoView({ block: "nearest" });
  }
  const locale = () => (hallq.lang === "en" ? "en-GB" : "zh-CN");
  const zone = () => (info ? info.hall.timezone : undefined);
  function dayLabel(iso) {  // "12月7日 周一"
    const date = new Date(`${iso}T12:00:00Z`);
    return date.toLocaleDateString(locale(), { timeZone: "UTC", month: "short", day: "numeric", weekday: "short" });
  }
  const clock = (iso) => new Date(iso).toLocaleTimeString(locale(), { timeZone: zone(), hour: "2-digit", minute: "2-digit", hour12: false });
  const when = (start, end) => `${dayLabel(start.slice(0, 10))} ${clock(start)}–${clock(end)}`;

  function renderServices() {
    if (!info.services.length) { $("services").replaceChildren(el("p", {}, t("no_services"))); return; }
    $("services").replaceChildren(...info.services.map((s) => el("button", {
      type: "button", class: "book-item", "data-service": s.id, onclick: () => pickService(s),
    }, el("b", {}, named(s)), el("span", { class: "meta" }, t("documents", { count: s.materials.length })))));
  }

  function pickService(s) {
    service = s; day = null; slot = null;
    error("");
    $("slot-service").textContent = named(s);
    $("slot-materials").classList.toggle("hidden", !s.materials.length);
    $("slot-materials-title").textContent = t("documents", { count: s.materials.length });
    $("slot-materials-list").replaceChildren(...s.materials.map((m) => el("li", {}, m)));
    $("days").replaceChildren(...(s.days.length ? s.days.map((d) => el("button", {
      type: "button", class: "book-day", "data-day": d, "aria-pressed": "false", onclick: () => pickDay(d),
    }, dayLabel(d))) : [el("p", {}, t("no_days"))]));
    $("slots").replaceChildren();
    show("slot");
    if (s.days.length) pickDay(s.days[0]);
  }

  async function pickDay(d) {
    day = d;
    for (const b of $("days").children) b.setAttribute?.("aria-pressed", String(b.dataset.day === d));
    try {
      const slots = await hallq.api("GET", `/booking/slots?service_id=${encodeURIComponent(service.id)}&date=${d}`);
      if (day !== d) return;
      // slots already begun are left out; one closing soon says so
      const ahead = slots.filter((s) => s.open || new Date(s.start) > Date.now());
      $("slots").replaceChildren(...(ahead.length ? ahead : [null]).map((s) => {
        if (!s) return el("p", { class: "muted" }, t("no_slots"));
        const open = s.open && s.left > 0;
        return el("button", {
          type: "button", class: "book-slot", "data-start": s.start, disabled: open ? null : "",
          onclick: () => pickSlot(s),
        }, el("b", {}, `${clock(s.start)}–${clock(s.end)}`),
        el("span", { class: "meta" }, !s.open ? t("closed") : s.left ? t("places_left", { count: s.left }) : t("full")));
      }));
    } catch (e) {
      error(e.message);
    }
  }

  function pickSlot(s) {
    slot = s;
    error("");
    $("form-chosen").textContent = `${named(service)} · ${when(s.start, s.end)}`;
    const r = info.rules;
    $("rules").textContent = t("rules", { week: r.per_phone_per_week, count: r.no_shows, days: r.no_show_days, block: r.block_days });
    show("form");
    $("name").focus();
  }

  async function submit(event) {
    event.preventDefault();
    if (busy) return;
    busy = true;
    $("submit").disabled = true;
    error("");
    try {
      const booking = await hallq.api("POST", "/bookings", {
        service_id: service.id, slot_start: slot.start, name: $("name").value, phone: $("phone").value,
      });
      // the manage link becomes this page's address: kept in the history, bookmarked, shared
      history.replaceState(null, "", `${hallq.root}${booking.manage_url}`);
      await openBooking(booking.code, new URL(location.href).searchParams.get("key"));
    } catch (e) {
      error(e.message);
      if (e.code === "slot_full" || e.code === "slot_closed") { show("slot"); pickDay(day); }
    } finally {
      busy = false;
      $("submit").disabled = false;
    }
  }

  let managing = null;
  async function openBooking(code, key) {
    const booking = await hallq.api("GET", `/bookings/${encodeURIComponent(code)}?key=${encodeURIComponent(key || "")}`);
    managing = { code, key };
    const s = info.services.find((x) => x.id === booking.service_id) || { name: booking.service_id };
    $("done-state").textContent = t(`state_${booking.state}`);
    $("done-service").textContent = named(s);
    $("done-when").textContent = booking.slot_end ? when(booking.slot_start, booking.slot_end) : booking.slot_start;
    $("done-code").textContent = booking.code;
    const live = booking.state === "booked";
    $("done-qr").classList.toggle("hidden", !live);
    if (live) $("done-qr").src = `${hallq.root}/book/${encodeURIComponent(code)}/qr.svg?key=${encodeURIComponent(key)}`;
    $("done-check-in").textContent = live ? t("check_in", { from: clock(booking.check_in_from), until: clock(booking.check_in_until) }) : "";
    $("done-keep").textContent = live ? `${t("keep_link")}${info.messages ? ` ${t("reminders")}` : ""}` : "";
    $("cancel").classList.toggle("hidden", !live);
    show("done");
  }

  async function cancel() {
    if (!managing || !confirm(t("cancel_confirm"))) return;
    try {
      await hallq.api("DELETE", `/bookings/${encodeURIComponent(managing.code)}?key=${encodeURIComponent(managing.key)}`);
      await openBooking(managing.code, managing.key);
      error("");
      $("done-keep").textContent = t("cancelled_done");
    } catch (e) {
      error(e.message);
    }
  }

  $("slot-back").addEventListener("click", () => { error(""); show("service"); });
  $("form-back").addEventListener("click", () => { error(""); show("slot"); pickDay(day); });
  $("book-form").addEventListener("submit", submit);
  $("cancel").addEventListener("click", cancel);

  async function start() {
    try {
      info = await hallq.api("GET", "/booking/services");
    } catch (e) {
      error(e.message);
      return;
    }
    $("hall-name").textContent = named(info.hall);
    renderServices();
    const code = main.dataset.code;
    if (code) {
      try {
        await openBooking(code, new URL(location.href).searchParams.get("key"));
      } catch (e) {
        error(e.status === 404 ? t("no_booking") : e.message);
      }
      return;
    }
    show("service");
  }
  start();
})();
