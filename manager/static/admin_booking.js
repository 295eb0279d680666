// 预约号源 on the administration page: each service's bookable slots per weekday (hours cut into slots, the
// places each takes, the share kept for the province's platform), the booking rules and the text messages.
// Writes into the document (the hall file as JSON); admin.js saves it as a new version. Managers may change
// the slots; the rules and the messages are the admin's.
"use strict";
window.hallqAdminBooking = (() => {
  const { el, t, named } = hallq;
  const input = (path, value, attrs = {}) => el("input", { "data-path": path, value: value ?? "", ...attrs });
  const setNumber = (node, key, text) => { if (text === "") delete node[key]; else node[key] = Number(text); };
  const hhmm = (value) => String(value || "").slice(0, 5);
  const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];
  const RULES = ["days_ahead", "closes_before_min", "per_phone_per_week", "per_address_per_hour", "no_shows",
    "no_show_days", "block_days"];
  const ADAPTERS = ["none", "http", "aliyun", "tencent"];
  const MESSAGE_TEXTS = ["url", "sign_name", "sdk_app_id", "endpoint"];
  const TEMPLATES = ["near", "called", "reminder_day", "reminder_hour"];

  function quotaRow(doc, quota, qi, canEdit, changed) {
    const off = canEdit ? null : "";
    const number = (key, attrs) => input(`booking.quotas[${qi}].${key}`, quota[key], {
      type: "number", min: 0, disabled: off, oninput: (e) => setNumber(quota, key, e.target.value), ...attrs });
    const hours = quota.hours || ["09:00", "12:00"];
    const setHour = (i) => (e) => { const next = [hhmm(hours[0]), hhmm(hours[1])]; next[i] = e.target.value; quota.hours = next; };
    const days = new Set(quota.weekdays || [1, 2, 3, 4, 5]);
    return el("tr", { "data-quota": qi },
      el("td", {}, el("select", { "data-path": `booking.quotas[${qi}].service`, disabled: off,
        onchange: (e) => { quota.service = e.target.value; } },
      ...doc.services.map((s) => el("option", { value: s.id, selected: s.id === quota.service ? "" : null }, named(s))))),
      el("td", { class: "m-weekdays" }, ...WEEKDAYS.map((day) => el("label", {}, el("input", {
        type: "checkbox", "data-path": `booking.quotas[${qi}].weekdays.${day}`, disabled: off, checked: days.has(day) ? "" : null,
        onchange: (e) => {
          if (e.target.checked) days.add(day); else days.delete(day);
          quota.weekdays = [...days].sort();
        } }), t(`weekday_${day}`)))),
      el("td", {}, input(`booking.quotas[${qi}].hours[0]`, hhmm(hours[0]), { type: "time", disabled: off, onchange: setHour(0) }), "–",
        input(`booking.quotas[${qi}].hours[1]`, hhmm(hours[1]), { type: "time", disabled: off, onchange: setHour(1) })),
      el("td", {}, number("slot_minutes", { min: 5, max: 240, step: 5 })),
      el("td", {}, number("capacity", { min: 1 })),
      el("td", {}, number("province_share")),
      el("td", {}, canEdit ? el("button", { type: "button", class: "link", onclick: () => {
        doc.booking.quotas.splice(qi, 1);
        changed();
      } }, t("remove")) : ""));
  }

  function editor(doc, root, isAdmin, canEditQuotas) {
    const booking = doc.booking = doc.booking || {};
    booking.quotas = booking.quotas || [];
    const messages = doc.messages = doc.messages || {};
    const changed = () => { root.dispatchEvent(new Event("changed")); root.dispatchEvent(new Event("input", { bubbles: true })); };
    const quotas = el("table", { class: "m-table", id: "quotas" },
      el("thead", {}, el("tr", {}, ...["quota_service", "quota_weekdays", "quota_hours", "quota_slot_minutes", "quota_capacity",
        "quota_province_share", "quota_actions"].map((key) => el("th", {}, t(key))))),
      el("tbody", {}, ...booking.quotas.map((quota, qi) => quotaRow(doc, quota, qi, canEditQuotas, changed))));
    const add = canEditQuotas ? el("button", { type: "button", id: "add-quota", onclick: () => {
      booking.quotas.push({ service: doc.services[0].id, weekdays: [1, 2, 3, 4, 5], hours: ["09:00", "12:00"], slot_minutes: 30, capacity: 5 });
      changed();
    } }, t("add_quota")) : "";
    const off = isAdmin ? null : "";
    const rules = RULES.map((key) => el("tr", {}, el("th", {}, t(`booking_${key}`)), el("td", {},
      input(`booking.${key}`, booking[key], { type: "number", min: 0, placeholder: t("default"), disabled: off,
        oninput: (e) => setNumber(booking, key, e.target.value) }))));
    const adapter = el("tr", {}, el("th", {}, t("messages_adapter")), el("td", {}, el("select", {
      "data-path": "messages.adapter", disabled: off, onchange: (e) => { messages.adapter = e.target.value; },
    }, ...ADAPTERS.map((v) => el("option", { value: v, selected: (messages.adapter || "none") === v ? "" : null }, t(`sms_${v}`))))));
    const texts = MESSAGE_TEXTS.map((key) => el("tr", {}, el("th", {}, t(`messages_${key}`)), el("td", {},
      input(`messages.${key}`, messages[key], { size: 40, maxlength: 200, disabled: off,
        oninput: (e) => { if (e.target.value) messages[key] = e.target.value; else delete messages[key]; } }))));
    const when = el("tr", {}, el("th", {}, t("messages_notify_when_ahead")), el("td", {},
      input("messages.notify_when_ahead", messages.notify_when_ahead, { type: "number", min: 1, max: 50, placeholder: "3", disabled: off,
        oninput: (e) => setNumber(messages, "notify_when_ahead", e.target.value) })));
    const templates = TEMPLATES.map((key) => el("tr", {}, el("th", {}, t(`template_${key}`)), el("td", {},
      input(`messages.templates.${key}`, (messages.templates || {})[key], { size: 24, maxlength: 64, placeholder: key, disabled: off,
        oninput: (e) => {
          messages.templates = messages.templates || {};
          if (e.target.value) messages.templates[key] = e.target.value; else delete messages.templates[key];
          if (!Object.keys(messages.templates).length) delete messages.templates;
        } }))));
    root.replaceChildren(
      el("p", { class: "muted" }, t("quotas_help")),
      el("div", { class: "m-table-wrap" }, quotas), add,
      el("h2", {}, t("booking_rules")),
      el("table", { class: "m-table", id: "booking-rules" }, el("tbody", {}, ...rules)),
      el("h2", {}, t("messages_title")),
      el("p", { class: "muted" }, t("messages_help")),
      el("table", { class: "m-table", id: "messages-settings" }, el("tbody", {}, adapter, when, ...texts, ...templates)));
  }

  return { editor };
})();
