// The administration page (/manager/admin): the hall's configuration edited in place and saved as a new
// version (on the version it was loaded at: a save on an older one is refused and says what changed), the
// accounts, the device tokens and the versions. zh-CN first; every answer's message shown in the page's
// language.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const { el, t, api, pick } = hallq;
  const forms = window.hallqAdminForms;
  const role = $("tabs").dataset.role;
  const isAdmin = role === "admin";
  let state = null;  // {version, hall, ...} as loaded
  let tab = "services";
  const TABS = ["services", "staffing", "calendar", "booking", "settings", "users", "tokens", "versions"];
  let calendarYear = new Date().getFullYear();

  function say(text, kind = "ok", extra = null) {
    const box = $("admin-message");
    box.className = `banner ${kind === "ok" ? "info" : "error"}`;
    box.replaceChildren(el("div", {}, text), ...(extra ? [extra] : []));
    box.scrollIntoView({ block: "nearest" });
  }
  function quiet() { $("admin-message").className = "banner hidden"; }

  let loadedBridge = null, openTickets = {}, dirty = false;
  async function load() {
    dirty = false;
    state = await api("GET", "/config");
    openTickets = (await api("GET", "/config/open-tickets").catch(() => ({ services: {} }))).services;
    loadedBridge = state.hall.bridge || null;
    $("version-now").textContent = `${t("version")} ${state.version}`;
    render();
  }

  const EDITS = new Set(["services", "staffing", "calendar", "booking", "settings"]);
  function render() {
    for (const button of $("tabs").querySelectorAll("button")) button.classList.toggle("on", button.dataset.tab === tab);
    for (const name of TABS) {
      $(`tab-${name}`).classList.toggle("hidden", name !== tab);
    }
    $("save-bar").classList.toggle("hidden", !EDITS.has(tab));
    const root = $(`tab-${tab}`);
    if (tab === "services") forms.services(state.hall, root, { everything: isAdmin }, openTickets, moveWaiting);
    if (tab === "staffing") forms.staffing(state.hall, root);
    if (tab === "calendar") forms.calendar(state.hall, root, calendarYear);
    if (tab === "booking") window.hallqAdminBooking.editor(state.hall, root, isAdmin, true);
    if (tab === "settings") forms.settings(state.hall, root, isAdmin, state.indicators);
    if (tab === "users") users(root);
    if (tab === "tokens") tokens(root);
    if (tab === "versions") versions(root);
    if (!isAdmin && tab === "services") root.prepend(el("p", { class: "muted" }, t("read_only")));
  }
  for (const id of ["services", "staffing", "calendar", "booking"]) {
    $(`tab-${id}`).addEventListener("changed", () => {
      if (id === "calendar") calendarYear = Number($("calendar-year").value);
      render();
    });
  }

  // a service's waiting tickets wait for another one now (keeping their place): an action, not a version
  async function moveWaiting(from, to) {
    try {
      const { moved } = await api("POST", `/services/${encodeURIComponent(from)}/move-waiting`, { to_service: to });
      openTickets = (await api("GET", "/config/open-tickets")).services;
      say(t("moved", { count: moved }));
      render();
    } catch (e) { say(e.message, "error"); }
  }

  const buses = (bridge) => [...new Set(((bridge || {}).devices || []).map((d) => d.bus || "main"))];

  async function save() {
    for (const node of document.querySelectorAll(".invalid")) node.classList.remove("invalid");
    const body = { base_version: state.version, hall: state.hall, note: $("save-note").value };
    const response = await fetch(`${hallq.root}/api/v1/config`, {
      method: "PUT", credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    if (response.ok) {
      const busesBefore = buses(loadedBridge);
      $("save-note").value = "";
      await load();
      // the bridge takes changed devices at once, but a new bus needs its serial port on the bridge's command line
      const added = buses(state.hall.bridge).filter((bus) => !busesBefore.includes(bus));
      const restart = added.length ? el("div", {}, t("bridge_restart", { buses: added.join(", ") })) : null;
      say(t("saved", { version: data.version }), "ok", restart);
    } else if (response.status === 409) {
      say(t("conflict", { version: data.current_version }), "error", el("div", {},
        el("pre", { class: "m-diff" }, (data.changes || []).join("\n")),
        el("button", { type: "button", id: "load-latest", onclick: () => { quiet(); load(); } }, t("load_latest"))));
    } else if (data.errors) {
      for (const error of data.errors) {
        for (const node of document.querySelectorAll(`[data-path^="${error.path}"]`)) node.classList.add("invalid");
      }
      say(t("invalid"), "error", el("ul", { id: "errors" }, ...data.errors.map((e) => el("li", {}, pick(e.message)))));
    } else {
      say(pick(data.message) || response.statusText, "error");
    }
  }

  // 账号: admins create accounts, set passwords, change roles, deactivate someone who left
  async function users(root) {
    const { users: list } = await api("GET", "/users").catch(() => ({ users: [] }));
    const roles = ["clerk", "manager", "admin"];
    const act = (username, change) => async () => {
      try { await api("PATCH", `/users/${encodeURIComponent(username)}`, change); quiet(); users(root); }
      catch (e) { say(e.message, "error"); }
    };
    const rows = list.map((u) => el("tr", { "data-user": u.username, class: u.active ? "" : "muted" },
      el("td", {}, u.username), el("td", {}, u.display_name),
      el("td", {}, el("select", { disabled: isAdmin ? null : "", onchange: (e) => act(u.username, { role: e.target.value })() },
        ...roles.map((r) => el("option", { value: r, selected: r === u.role ? "" : null }, t(`role_${r}`))))),
      el("td", {}, u.role !== "clerk" ? "—" : el("input", { "data-windows": u.username, size: 12, disabled: isAdmin ? null : "",
        value: u.windows.map((id) => (state.hall.windows.find((w) => w.id === id) || { number: id }).number).join(" "),
        placeholder: t("any_window"), title: t("windows_hint"), onchange: (e) => {
          const numbers = e.target.value.split(/[\s,，、]+/).filter(Boolean);
          const ids = numbers.map((n) => (state.hall.windows.find((w) => String(w.number) === n || w.id === n) || { id: n }).id);
          act(u.username, { windows: ids })();
        } })),
      el("td", {}, u.active ? "✓" : "—"),
      el("td", {}, isAdmin ? [
        el("button", { type: "button", class: "set-password", onclick: () => {
          const password = prompt(t("new_password"));
          if (password) act(u.username, { password })();
        } }, t("set_password")), " ",
        el("button", { type: "button", class: u.active ? "deactivate" : "activate", onclick: () => {
          if (!u.active || confirm(t("confirm"))) act(u.username, { active: !u.active })();
        } }, t(u.active ? "deactivate" : "activate"))] : "")));
    const form = isAdmin ? el("form", { id: "new-user", class: "m-filter", onsubmit: async (event) => {
      event.preventDefault();
      const f = event.target;
      try {
        await api("POST", "/users", { username: f.username.value, display_name: f.display_name.value || null, role: f.role.value, password: f.password.value });
        quiet(); users(root);
      } catch (e) { say(e.message, "error"); }
    } }, ...["username", "display_name"].map((k) => el("label", {}, t(k), el("br"), el("input", { name: k, required: k === "username" ? "" : null }))),
      el("label", {}, t("role"), el("br"), el("select", { name: "role" }, ...roles.map((r) => el("option", { value: r }, t(`role_${r}`))))),
      el("label", {}, t("password"), el("br"), el("input", { name: "password", type: "password", minlength: 8, required: "" })),
      el("button", { class: "primary", type: "submit" }, t("create"))) : null;
    root.replaceChildren(el("div", { class: "m-table-wrap" }, el("table", { class: "m-table", id: "users" },
      el("thead", {}, el("tr", {}, ...["username", "display_name", "role", "clerk_windows", "active", ""].map((k) => el("th", {}, k ? t(k) : "")))),
      el("tbody", {}, ...rows))), form);
  }

  // 设备令牌: issue (the secret shown once, with the device's address as a QR code), see, revoke
  async function tokens(root, issued = null) {
    const { tokens: list } = await api("GET", "/tokens").catch(() => ({ tokens: [] }));
    const rows = list.map((row) => el("tr", { "data-token": row.id, class: row.revoked_at ? "muted" : "" },
      el("td", {}, row.id), el("td", {}, t(`device_${row.role}`)), el("td", {}, row.name), el("td", {}, row.window_id || row.kiosk_id || "—"),
      el("td", {}, (row.created_at || "").slice(0, 16).replace("T", " ")),
      el("td", { class: "last-used" }, row.last_used_at ? row.last_used_at.slice(0, 16).replace("T", " ") : t("never_used")),
      el("td", {}, row.revoked_at ? row.revoked_at.slice(0, 16).replace("T", " ") : (isAdmin ? el("button", { type: "button", class: "revoke", onclick: async () => {
        if (!confirm(t("confirm"))) return;
        try { await api("DELETE", `/tokens/${row.id}`); quiet(); tokens(root); } catch (e) { say(e.message, "error"); }
      } }, t("revoke")) : "—"))));
    const windows = state.hall.windows.map((w) => w.id), kiosks = (state.hall.kiosks || []).map((k) => k.id);
    const form = isAdmin ? el("form", { id: "new-token", class: "m-filter", onsubmit: async (event) => {
      event.preventDefault();
      const f = event.target;
      const bound = f.bound.value;
      const body = { role: f.role.value, name: f.name.value || null };
      if (kiosks.includes(bound) && ["kiosk", "agent"].includes(body.role)) body.kiosk_id = bound;
      else if (windows.includes(bound)) body.window_id = bound;
      try { tokens(root, await api("POST", "/tokens", body)); quiet(); } catch (e) { say(e.message, "error"); }
    } }, el("label", {}, t("token_role"), el("br"), el("select", { name: "role" },
      ...["kiosk", "display", "evaluator", "bridge", "agent", "integration", "clerk"].map((r) => el("option", { value: r }, t(`device_${r}`))))),
      el("label", {}, t("name"), el("br"), el("input", { name: "name", maxlength: 64 })),
      el("label", {}, t("bound_to"), el("br"), el("select", { name: "bound" }, el("option", { value: "" }, "—"),
        ...[...kiosks, ...windows].map((id) => el("option", { value: id }, id)))),
      el("button", { class: "primary", type: "submit" }, t("issue"))) : null;
    const secret = issued ? el("div", { class: "m-secret", id: "secret" }, issued.qr_svg ? svg(issued.qr_svg) : null,
      el("div", {}, el("p", {}, t("secret_once")), el("code", {}, issued.device_url || issued.token))) : null;
    root.replaceChildren(secret || "", el("div", { class: "m-table-wrap" }, el("table", { class: "m-table", id: "tokens" },
      el("thead", {}, el("tr", {}, ...["", "token_role", "name", "bound_to", "created", "last_used", "revoked"].map((k) => el("th", {}, k ? t(k) : "#")))),
      el("tbody", {}, ...rows))), form || "");
  }
  function svg(markup) {  // the server's own QR code (an SVG of paths only), parsed as an image, not as HTML
    const doc = new DOMParser().parseFromString(markup, "image/svg+xml");
    return document.importNode(doc.documentElement, true);
  }

  // 版本: every version with who, when and why; its changes; an earlier one restored as a new version
  async function versions(root) {
    const { versions: list } = await api("GET", "/config/versions");
    const diff = el("pre", { class: "m-diff hidden", id: "diff" });
    root.replaceChildren(el("div", { class: "m-table-wrap" }, el("table", { class: "m-table", id: "versions" },
      el("thead", {}, el("tr", {}, ...["version", "saved_at", "saved_by", "why", ""].map((k) => el("th", {}, k ? t(k) : "")))),
      el("tbody", {}, ...list.map((v) => el("tr", { "data-version": v.version },
        el("td", {}, v.version, v.version === state.version ? el("small", { class: "muted" }, ` (${t("current")})`) : ""),
        el("td", {}, v.saved_at.slice(0, 16).replace("T", " ")), el("td", {}, v.saved_by), el("td", {}, pick(v.note)),
        el("td", {}, el("button", { type: "button", class: "show-diff", onclick: async () => {
          diff.textContent = (await api("GET", `/config/versions/${v.version}`)).diff;
          diff.classList.remove("hidden");
        } }, t("show_diff")), " ", isAdmin && v.version !== state.version ? el("button", { type: "button", class: "restore", onclick: async () => {
          if (!confirm(t("confirm"))) return;
          try {
            const saved = await api("POST", `/config/versions/${v.version}/restore`, { base_version: state.version });
            await load();
            say(t("restored", { old: v.version, version: saved.version }));
          } catch (e) { say(e.message, "error"); }
        } }, t("restore")) : "")))))), diff);
  }

  $("save").textContent = t("save");
  $("save-note").placeholder = t("note");
  $("save").addEventListener("click", save);
  $("tabs").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-tab]");
    if (!button) return;
    tab = button.dataset.tab;
    quiet();
    render();
  });
  // edits not saved yet: a version saved elsewhere meanwhile is offered, not loaded over them
  for (const id of EDITS) {
    for (const kind of ["input", "change"]) {
      $(`tab-${id}`).addEventListener(kind, (e) => { if (!e.target.dataset.move) dirty = true; });
    }
  }
  hallq.connect(null, ["manager"], {
    config_changed: async ({ version }) => {
      if (!state || version <= state.version) return;
      if (!dirty) { await load(); return; }
      say(t("newer_version", { version }), "error",
        el("button", { type: "button", id: "load-latest", onclick: () => { quiet(); load(); } }, t("load_latest")));
    },
  });
  const wanted = new URL(location.href).hash.slice(1);
  if (TABS.includes(wanted)) tab = wanted;
  load().catch((e) => say(e.message, "error"));
})();
