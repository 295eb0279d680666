// The parts of the hall's configuration the administration page edits in place: zones and services, the
// A/B matrix, the working calendar. Each renders from the document (the hall file as JSON) and writes back
// into it; admin.js saves the whole document as a new version.
"use strict";
window.hallqAdminForms = (() => {
  const { el, t, named } = hallq;
  const input = (path, value, attrs = {}) => el("input", { "data-path": path, value: value ?? "", ...attrs });

  // 分区与事项: a card per zone, its services in a table; managers may change only the materials
  function services(doc, root, canEdit, open = {}, moveWaiting = null) {
    const all = !canEdit.everything;
    const rows = [];
    const changed = () => root.dispatchEvent(new Event("changed"));
    // 取号: 绿色通道 offered, and the service's own issuing hours inside the hall's
    const issuing = (service, si, locked) => {
      const hours = service.issuing_hours || ["", ""];
      const setHours = (i) => (e) => {
        const next = [...hours]; next[i] = e.target.value;
        if (next[0] || next[1]) service.issuing_hours = next; else delete service.issuing_hours;
      };
      return [
        el("label", {}, el("input", { type: "checkbox", "data-path": `services[${si}].green_channel`, disabled: locked ? "" : null,
          checked: service.green_channel === false ? null : "", onchange: (e) => {
            if (e.target.checked) delete service.green_channel; else service.green_channel = false;
          } }), ` ${t("green_channel")}`),
        el("div", {}, t("issuing_hours"), " ",
          input(`services[${si}].issuing_hours[0]`, hours[0], { type: "time", disabled: locked ? "" : null, onchange: setHours(0) }), "–",
          input(`services[${si}].issuing_hours[1]`, hours[1], { type: "time", disabled: locked ? "" : null, onchange: setHours(1) })),
      ];
    };
    // removing a service: at once when nobody waits for it; else it stops issuing and goes once served
    // (retiring), or its waiting tickets move to another service now
    const state = (service, si, locked) => {
      const count = open[service.id] || 0;
      const remove = () => {
        doc.services.splice(si, 1);
        for (const w of doc.windows) for (const k of ["a_services", "b_services"]) w[k] = (w[k] || []).filter((x) => x !== service.id);
        changed();
      };
      const parts = [];
      if (count) parts.push(el("div", { class: "muted" }, t("open_tickets", { count })));
      if (service.retiring) {
        parts.push(el("div", { class: "m-warn" }, t("retiring")));
        if (!locked) parts.push(el("button", { type: "button", class: "link", onclick: () => { delete service.retiring; changed(); } }, t("issue_again")));
      } else if (!locked) {
        parts.push(el("button", { type: "button", class: "link", "data-remove": service.id, onclick: () => {
          if (!count) return remove();
          service.retiring = true;
          changed();
        } }, t(count ? "retire" : "remove")));
      }
      if (count && moveWaiting) {
        const others = doc.services.filter((s) => s.id !== service.id && !s.retiring);
        parts.push(el("label", {}, el("div", {}, t("move_waiting")), el("select", { "data-move": service.id, onchange: (e) => {
          if (e.target.value && confirm(t("confirm"))) moveWaiting(service.id, e.target.value);
        } }, el("option", { value: "" }, "—"), ...others.map((s) => el("option", { value: s.id }, named(s))))));
      }
      return parts;
    };
    doc.zones.forEach((zone, zi) => {
      const zoneHead = el("h2", {}, named(zone), " ",
        el("small", { class: "muted" }, `${t("prefix")} ${zone.prefix}`));
      const zoneForm = el("p", {},
        el("label", {}, `${t("name")} `, input(`zones[${zi}].name`, zone.name, {
          disabled: all ? "" : null, oninput: (e) => { zone.name = e.target.value; } })), " ",
        el("label", {}, `${t("daily_cap")} `, input(`zones[${zi}].daily_cap`, zone.daily_cap, {
          type: "number", min: 1, disabled: all ? "" : null,
          oninput: (e) => { setNumber(zone, "daily_cap", e.target.value); } })));
      const body = doc.services.map((service, si) => ({ service, si })).filter(({ service }) => service.zone === zone.id)
        .map(({ service, si }) => el("tr", { "data-service": service.id },
          el("td", {}, el("code", {}, service.id)),
          el("td", { class: "m-stack" },
            labelled("name", input(`services[${si}].name`, service.name, {
              disabled: all ? "" : null, oninput: (e) => { service.name = e.target.value; } })),
            labelled("name_en", input(`services[${si}].name_en`, service.name_en, {
              disabled: all ? "" : null, oninput: (e) => { service.name_en = e.target.value; } })),
            labelled("catalogue_code", input(`services[${si}].code`, service.code, {
              disabled: all ? "" : null, oninput: (e) => { if (e.target.value) service.code = e.target.value; else delete service.code; } })),
            // 进驻部门: 好差评 reports carry the department and its code
            ...["department", "department_code"].map((key) => labelled(key, input(`services[${si}].${key}`, service[key], {
              disabled: all ? "" : null, oninput: (e) => { if (e.target.value) service[key] = e.target.value; else delete service[key]; } })))),
          el("td", {}, el("textarea", {
            "data-path": `services[${si}].materials`, rows: Math.max(4, (service.materials || []).length),
            oninput: (e) => { service.materials = e.target.value.split("\n").map((s) => s.trim()).filter(Boolean); },
          }, (service.materials || []).join("\n"))),
          el("td", { class: "m-stack" },
            labelled("daily_cap", input(`services[${si}].daily_cap`, service.daily_cap, {
              type: "number", min: 1, disabled: all ? "" : null,
              oninput: (e) => { setNumber(service, "daily_cap", e.target.value); } })),
            labelled("mean_service", input(`services[${si}].mean_service_s`, service.mean_service_s, {
              type: "number", min: 1, disabled: all ? "" : null,
              oninput: (e) => { setNumber(service, "mean_service_s", e.target.value); } }))),
          el("td", {}, el("select", { "data-path": `services[${si}].ask_identity`, disabled: all ? "" : null, onchange: (e) => {
            if (e.target.value) service.ask_identity = e.target.value;
            else { delete service.ask_identity; delete service.tickets_per_person_per_day; }
          } }, ...["", "phone", "id_card"].map((v) => el("option", { value: v, selected: (service.ask_identity || "") === v ? "" : null },
            v ? t(`ask_${v}`) : "—"))),
          input(`services[${si}].tickets_per_person_per_day`, service.tickets_per_person_per_day, {
            type: "number", min: 1, size: 3, disabled: all ? "" : null, title: t("per_person"),
            oninput: (e) => { setNumber(service, "tickets_per_person_per_day", e.target.value); } })),
          el("td", { class: "m-issuing" }, issuing(service, si, all)),
          el("td", {}, state(service, si, all))));
      const adder = all ? null : el("tr", {}, el("td", { colspan: 7 }, el("button", { type: "button", onclick: () => {
        const id = prompt(t("service_id"));
        if (!id) return;
        doc.services.push({ id: id.trim(), zone: zone.id, name: id.trim(), materials: [] });
        root.dispatchEvent(new Event("changed"));
      } }, `+ ${t("add_service")}`)));
      rows.push(zoneHead, zoneForm, el("div", { class: "m-table-wrap" }, el("table", { class: "m-table" },
        el("thead", {}, el("tr", {}, ...["service_id", "name", "materials", "daily_cap", "limit_per_person", "issuing", ""]
          .map((k) => el("th", {}, k ? t(k) : "")))),
        el("tbody", {}, ...body, adder))));
    });
    root.replaceChildren(...rows);
  }

  const labelled = (key, field) => el("label", {}, el("small", { class: "muted" }, t(key)), field);

  function setNumber(node, key, text) {
    if (text === "") delete node[key]; else node[key] = Number(text);
  }

  // 窗口与AB岗: services down, windows across, A / B / blank in each cell
  function staffing(doc, root) {
    const windows = doc.windows;
    const mark = (w, id) => ((w.a_services || []).includes(id) ? "A" : (w.b_services || []).includes(id) ? "B" : "");
    const rows = doc.services.map((service) => {
      const marks = windows.map((w) => mark(w, service.id));
      const warn = !marks.includes("A") ? (marks.includes("B") ? t("no_a_window") : t("no_window")) : "";
      return el("tr", { "data-service": service.id },
        el("th", { class: "service" }, named(service), warn ? el("div", { class: "m-warn" }, `⚠ ${warn}`) : null),
        ...windows.map((w, wi) => el("td", { class: `cell ${mark(w, service.id).toLowerCase()}` },
          el("select", { "data-window": w.id, "data-path": `windows[${wi}]`, "aria-label": `${w.id} ${service.id}`, onchange: (e) => {
            w.a_services = (w.a_services || []).filter((x) => x !== service.id);
            w.b_services = (w.b_services || []).filter((x) => x !== service.id);
            if (e.target.value === "A") w.a_services.push(service.id);
            if (e.target.value === "B") w.b_services.push(service.id);
            root.dispatchEvent(new Event("changed"));
          } }, ...["", "A", "B"].map((v) => el("option", { value: v, selected: mark(w, service.id) === v ? "" : null }, v || "—"))))));
    });
    root.replaceChildren(el("div", { class: "m-table-wrap" }, el("table", { class: "m-table m-matrix" },
      el("thead", {}, el("tr", {}, el("th", {}, t("service")), ...windows.map((w) => el("th", {}, w.id)))),
      el("tbody", {}, ...rows))));
  }

  // 工作日历: a year at a glance; a click cycles working day -> holiday -> make-up working day
  function calendar(doc, root, year) {
    const cal = doc.calendar = doc.calendar || {};
    cal.holidays = cal.holidays || [];
    cal.extra_workdays = cal.extra_workdays || [];
    const weekdays = ((doc.hall || {}).hours || {}).weekdays || [1, 2, 3, 4, 5];
    const iso = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
    const months = [];
    for (let m = 0; m < 12; m++) {
      const first = new Date(year, m, 1);
      const cells = t("weekday_initials").split("").map((d) => el("span", { class: "m-dow" }, d));
      cells.push(...Array.from({ length: (first.getDay() + 6) % 7 }, () => el("span")));
      for (let d = new Date(first); d.getMonth() === m; d.setDate(d.getDate() + 1)) {
        const day = iso(d), isoDay = ((d.getDay() + 6) % 7) + 1;
        const kind = cal.holidays.includes(day) ? "holiday" : cal.extra_workdays.includes(day) ? "workday" : weekdays.includes(isoDay) ? "" : "rest";
        cells.push(el("button", { type: "button", class: kind, "data-day": day, title: kind ? t(kind === "rest" ? "calendar_hint" : kind) : "", onclick: () => {
          cal.holidays = cal.holidays.filter((x) => x !== day);
          cal.extra_workdays = cal.extra_workdays.filter((x) => x !== day);
          if (kind === "" || kind === "rest") cal.holidays.push(day);
          else if (kind === "holiday") cal.extra_workdays.push(day);
          cal.holidays.sort(); cal.extra_workdays.sort();
          root.dispatchEvent(new Event("changed"));
        } }, String(d.getDate())));
      }
      months.push(el("div", { class: "m-month" }, el("h3", {}, `${year}-${String(m + 1).padStart(2, "0")}`), el("div", { class: "m-days" }, ...cells)));
    }
    const paste = el("textarea", { id: "calendar-paste", rows: 4, cols: 40 });
    const add = (key) => () => {
      for (const day of datesIn(paste.value)) {
        cal.holidays = cal.holidays.filter((x) => x !== day);
        cal.extra_workdays = cal.extra_workdays.filter((x) => x !== day);
        cal[key].push(day);
      }
      cal[key].sort();
      root.dispatchEvent(new Event("changed"));
    };
    root.replaceChildren(
      el("p", {}, el("label", {}, `${t("year")} `, el("input", { type: "number", value: year, id: "calendar-year", onchange: (e) => calendar(doc, root, Number(e.target.value)) })),
        " ", el("span", { class: "muted" }, t("calendar_hint"))),
      el("div", { class: "m-year" }, ...months),
      el("p", {}, el("label", { for: "calendar-paste" }, t("paste")), el("br"), paste, el("br"),
        el("button", { type: "button", id: "paste-holidays", onclick: add("holidays") }, t("import_as_holidays")), " ",
        el("button", { type: "button", id: "paste-workdays", onclick: add("extra_workdays") }, t("import_as_workdays"))));
  }

  // "2026-10-01", "2026/10/1", "2026-10-01..2026-10-07" or "2026-10-01至2026-10-07", one a line
  function datesIn(text) {
    const norm = (s) => {
      const m = s.trim().match(/^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/);
      return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
    };
    const out = [];
    for (const line of text.split(/\n|,|，/)) {
      const [from, to] = line.split(/\.\.|至|~/).map(norm);
      if (!from) continue;
      for (let d = new Date(from); d <= (to || from); d.setDate(d.getDate() + 1)) {
        out.push(`${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`);
      }
    }
    return out;
  }

  // 设置: the alert thresholds, the rating and follow-up times, the ranking's weights (numbers in the document)
  const SETTINGS = [
    ["hall", "alerts", "longest_wait_s"], ["hall", "alerts", "waiting_per_open_window"], ["hall", "alerts", "paused_window_s"],
    ["ratings", "open_minutes"], ["ratings", "follow_up_working_days"],
    ["ranking", "satisfaction_weight"], ["ranking", "timeliness_weight"], ["ranking", "attendance_weight"],
    ["voice", "call", "text"], ["voice", "call_en", "text"], ["voice", "repeat"], ["voice", "volume"],
    // 好差评 to the province (docs/manager.md): the adapter, where, the hall's codes there, the alert
    ["province", "adapter", "choice"], ["province", "url", "text"], ["province", "hall_code", "text"],
    ["province", "region_code", "text"], ["province", "alert_after_minutes"],
  ];
  const CHOICES = { adapter: ["none", "json-http", "anhui"] };
  // 评价内容: the content each level offers, a line "指标：内容" each; a change needs a new version (the
  // server refuses it otherwise: a hall may not add or drop content silently)
  function indicatorEditor(doc, effective, canEdit) {
    const own = () => {
      doc.ratings = doc.ratings || {};
      doc.ratings.indicators = doc.ratings.indicators || JSON.parse(JSON.stringify(effective));
      return doc.ratings.indicators;
    };
    const shown = (doc.ratings && doc.ratings.indicators) || effective;
    const linesOf = (level) => (shown.content || []).filter((c) => c.levels.includes(level))
      .map((c) => `${c.indicator}：${c.text}`).join("\n");
    const boxes = {};
    function rebuild() {
      const items = new Map();
      for (const level of [5, 4, 3, 2, 1]) {
        for (const line of boxes[level].value.split("\n").map((l) => l.trim()).filter(Boolean)) {
          const [indicator, ...rest] = line.split(/[:：]/);
          const text = rest.join("：").trim() || indicator.trim();
          const key = `${indicator.trim()}\u0000${text}`;
          if (!items.has(key)) items.set(key, { indicator: rest.length ? indicator.trim() : shown.top, text, levels: [] });
          items.get(key).levels.push(level);
        }
      }
      own().content = [...items.values()];
    }
    const rows = [5, 4, 3, 2, 1].map((level) => {
      boxes[level] = el("textarea", { "data-path": `ratings.indicators.level.${level}`, rows: 7, cols: 40,
        disabled: canEdit ? null : "", oninput: rebuild }, linesOf(level));
      return el("tr", {}, el("th", {}, t(`rating_level_${level}`)), el("td", {}, boxes[level]));
    });
    const version = input("ratings.indicators.version", shown.version, {
      size: 20, maxlength: 32, disabled: canEdit ? null : "", oninput: (e) => { own().version = e.target.value; } });
    return [el("h2", {}, t("rating_content")), el("p", { class: "muted" }, t("rating_content_help", { indicators: [shown.top, ...shown.indicators].join("、") })),
      el("table", { class: "m-table", id: "rating-content" }, el("tbody", {},
        el("tr", {}, el("th", {}, t("rating_content_version")), el("td", {}, version)), ...rows))];
  }

  function settings(doc, root, canEdit, indicators) {
    const rows = SETTINGS.map((spec) => {
      const kind = spec[spec.length - 1];
      const text = kind === "text";
      const keys = text || kind === "choice" ? spec.slice(0, -1) : spec;
      const parent = keys.slice(0, -1).reduce((node, key) => (node[key] = node[key] || {}), doc);
      const key = keys[keys.length - 1];
      if (kind === "choice") {
        return el("tr", {}, el("th", {}, t(`setting_${key}`)), el("td", {}, el("select", {
          "data-path": keys.join("."), disabled: canEdit ? null : "",
          onchange: (e) => { parent[key] = e.target.value; },
        }, ...CHOICES[key].map((v) => el("option", { value: v, selected: (parent[key] || CHOICES[key][0]) === v ? "" : null },
          t(`${key}_${v}`))))));
      }
      const attrs = text
        ? { size: 40, maxlength: 200, oninput: (e) => { if (e.target.value) parent[key] = e.target.value; else delete parent[key]; } }
        : { type: "number", step: "any", min: 0, oninput: (e) => { setNumber(parent, key, e.target.value); } };
      return el("tr", {}, el("th", {}, t(`setting_${key}`)), el("td", {}, input(keys.join("."), parent[key], {
        ...attrs, disabled: canEdit ? null : "",
      })));
    });
    // a zone's own call wording ([[voice.zones]]: a 绿色通道 zone, windows with names); empty: the hall's
    const voice = doc.voice = doc.voice || {};
    const zoneRows = doc.zones.map((zone) => {
      const own = () => (voice.zones || []).find((w) => w.zone === zone.id);
      const set = (key) => (e) => {
        let wording = own();
        if (!wording) { wording = { zone: zone.id }; voice.zones = [...(voice.zones || []), wording]; }
        if (e.target.value) wording[key] = e.target.value; else delete wording[key];
        if (!wording.call) voice.zones = voice.zones.filter((w) => w !== wording);
        if (!voice.zones.length) delete voice.zones;
      };
      return el("tr", { "data-zone": zone.id }, el("th", {}, t("setting_zone_call", { zone: zone.name })), el("td", {},
        input(`voice.zones.${zone.id}.call`, (own() || {}).call, { size: 40, maxlength: 200, placeholder: voice.call || "", disabled: canEdit ? null : "", oninput: set("call") }), " ",
        input(`voice.zones.${zone.id}.call_en`, (own() || {}).call_en, { size: 30, maxlength: 200, placeholder: "English", disabled: canEdit ? null : "", oninput: set("call_en") })));
    });
    root.replaceChildren(el("table", { class: "m-table", id: "settings" }, el("tbody", {}, ...rows, ...zoneRows)),
      el("p", { class: "muted" }, t("settings_defaults")),
      ...(indicators ? indicatorEditor(doc, indicators, canEdit) : []));
  }

  return { services, staffing, calendar, settings, datesIn };
})();
