// Shared helpers of the hallq pages: device tokens, the JSON API, Socket.IO rooms, formatting.
"use strict";
const hallq = (() => {
  // where this hall is served: "" alone, "/h/<hall>" in a city deployment (docs/deployment.md)
  const root = document.querySelector('meta[name="hallq-root"]')?.content || "";
  // one websocket per screen, no long-polling: any server process behind one port can hold it
  const socketOptions = { path: `${root}/socket.io`, transports: ["websocket"], reconnectionDelayMax: 5000 };
  // a translated page (hallq/web/i18n.py) carries its script's texts in its language
  const texts = JSON.parse(document.getElementById("hallq-texts")?.textContent || "null");
  const lang = document.documentElement.lang || "zh-CN";

  function t(key, params = {}) {
    const text = (texts && texts[key]) || key;
    return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
  }

  // The API's messages say it in both ("中文 / English"): a page shows its own language's half.
  function pick(message) {
    if (!message || !message.includes(" / ")) return message;
    const [zh, ...en] = message.split(" / ");
    return lang === "en" ? en.join(" / ") : zh;
  }

  function deviceToken(kind) {
    const key = `hallq${root}.${kind}.token`;
    const url = new URL(window.location.href);
    const given = url.searchParams.get("token");
    if (given) {
      localStorage.setItem(key, given);
      url.searchParams.delete("token");
      history.replaceState(null, "", url.toString());
    }
    return localStorage.getItem(key);
  }

  async function api(method, path, body, token) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(`${root}/api/v1${path}`, {
      method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(pick(data.message) || response.statusText);
      error.status = response.status;
      error.code = data.error;
      throw error;
    }
    return data;
  }

  // Connect, join rooms on every (re)connect, route events to handlers; "snapshot" makes a screen whole.
  function connect(token, rooms, handlers, onStatus) {
    const socket = io({ ...socketOptions, auth: token ? { token } : {} });
    socket.on("connect", () => {
      onStatus && onStatus(true);
      for (const room of rooms) {
        socket.emit("join", { room }, (ack) => {
          if (!ack || !ack.ok) console.warn("join refused", room, ack);
        });
      }
    });
    socket.on("disconnect", () => onStatus && onStatus(false));
    socket.on("connect_error", () => onStatus && onStatus(false));
    for (const [event, handler] of Object.entries(handlers)) socket.on(event, handler);
    return socket;
  }

  // a zone's, service's or hall's name from the hall file in the page's language (Chinese when no English)
  const named = (thing) => (lang === "en" && thing.name_en) || thing.name;

  // a range as a person reads it at a glance (hallq/printing/layout.py: range_minutes rounds the same way)
  function roundedRange([lowS, highS]) {
    const step = (minutes) => (minutes < 10 ? 1 : minutes < 60 ? 5 : 10);
    const low = lowS / 60, high = highS / 60;
    return [Math.max(1, Math.floor(low / step(low)) * step(low)), Math.ceil(high / step(high)) * step(high)];
  }

  function minutes(seconds, range) {
    if (!seconds || seconds < 60) return t("soon");
    if (range) {
      const [low, high] = roundedRange(range);
      if (low < high) return t("about_range", { low, high });
    }
    return t("about_minutes", { minutes: Math.round(seconds / 60) });
  }

  // a ticket's expected wait as shown: 暂无窗口开放 when no window serving its service is open (no promise)
  function wait(ticket) {
    return ticket.no_window_open ? t("no_window_open") : minutes(ticket.estimated_wait_s, ticket.estimated_wait_range_s);
  }

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v);
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  // the hall's time zone (the hall file's [hall] timezone), not the screen PC's
  const timeZone = document.querySelector('meta[name="hallq-timezone"]')?.content || undefined;
  function clock(node) {
    const format = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZone });
    const tick = () => { node.textContent = format.format(new Date()); };
    tick();
    setInterval(tick, 1000);
  }

  return { root, socketOptions, lang, timeZone, t, pick, named, deviceToken, api, connect, minutes, wait, el, clock };
})();
