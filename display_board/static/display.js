// The hall display: one grid cell per window, the newest call in a banner, spoken; whole again on reconnect.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const { el, t, named } = hallq;
  const token = hallq.deviceToken("display");
  let state = null;
  hallq.clock($("clock"));

  function error(message) {
    $("error").textContent = message || "";
    $("error").classList.toggle("hidden", !message);
  }

  // more windows than fit are shown a page at a time (a new call shows its window's page), never cut off;
  // ?per_page=N for a screen that fits fewer
  const perPage = Number(new URL(location.href).searchParams.get("per_page"))
    || (matchMedia("(orientation: portrait)").matches ? 24 : 16);
  const PAGE_S = 10;
  let page = 0, turnedAt = 0;
  setInterval(() => {
    const pages = state ? Math.ceil(state.windows.length / perPage) : 1;
    if (pages > 1 && Date.now() - turnedAt >= PAGE_S * 1000) { page += 1; turnedAt = Date.now(); renderWindows(); }
  }, 1000);

  function renderWindows(blinkId) {
    const pages = Math.max(1, Math.ceil(state.windows.length / perPage));
    const blinking = blinkId ? state.windows.findIndex((w) => w.id === blinkId) : -1;
    if (blinking >= 0) { page = Math.floor(blinking / perPage); turnedAt = Date.now(); }
    page %= pages;
    $("page-mark").textContent = pages > 1 ? t("page_of", { page: page + 1, pages }) : "";
    $("windows").replaceChildren(...state.windows.slice(page * perPage, (page + 1) * perPage).map((w) => {
      const calling = w.current && w.state !== "closed";
      const text = calling ? w.current.number : t(w.state === "open" ? "idle" : w.state);
      return el("div", { class: `win ${w.state}${calling ? " busy" : ""}${w.id === blinkId ? " blink" : ""}`, "data-window": w.id },
        el("div", { class: "label" }, t("window_number", { number: w.number })),
        el("div", { class: "num" }, text));
    }));
  }
  function renderRecent() {
    const calls = state.recent_calls;
    $("recent").replaceChildren(...(calls.length ? calls.map((c) => el("li", { "data-ticket": c.ticket.number },
      el("b", {}, c.ticket.number, c.recalled ? el("span", { class: "recall-mark" }, t("recalled")) : null),
      el("span", {}, t("window_number", { number: c.window.number }))))
      : [el("li", { class: "empty" }, t("no_calls_yet"))]));
  }
  function renderWaiting() {
    $("waiting").replaceChildren(...state.zones.map((z) => el("li", {},
      el("span", {}, `${z.prefix} ${named(z)}`), el("b", {}, String(state.waiting[z.id] ?? 0)))));
  }
  // after a reload or a reconnect: the newest call still in hand, shown without a flash or a voice (it was
  // announced already), rather than 欢迎光临 while people are being called
  function restoreBanner() {
    const node = $("now-calling");
    if (node.dataset.ticket) return;
    const inHand = new Set(state.windows.filter((w) => w.current && w.current.status === "called").map((w) => w.current.id));
    const call = state.recent_calls.find((c) => inHand.has(c.ticket.id));
    if (call) { banner(call); node.classList.remove("flash"); }
  }
  function banner(call) {
    const node = $("now-calling");
    // the call in the page's language, the other one beside it: a hall's screen is read by everyone in it
    // the call in the page's language; the other language under it only where the hall asks for it
    const [first, second] = hallq.lang === "en" && call.announce_en
      ? [call.announce_en, call.announce] : [call.announce, call.announce_en || ""];
    const both = state && state.voice && state.voice.banner_english && second;
    node.replaceChildren(first, ...(both ? [el("span", { class: "en" }, second)] : []));
    node.dataset.ticket = call.ticket.id;
    node.classList.remove("flash");
    void node.offsetWidth;
    node.classList.add("flash");
  }

  function onCall(call) {
    if (!state) return;
    const w = state.windows.find((x) => x.id === call.window.id);
    if (w) w.current = { id: call.ticket.id, number: call.ticket.number, status: "called", called_at: call.at };
    // one line a ticket: a recall moves it to the top, marked 重呼
    state.recent_calls = [call, ...state.recent_calls.filter((c) => c.ticket.id !== call.ticket.id)].slice(0, 10);
    renderWindows(call.window.id);
    renderRecent();
    banner(call);
    hallqVoice.announce(call, token);
    if (hallqVoice.blocked()) $("sound-gate").classList.remove("hidden");
  }
  function onLeave(event) {
    hallqVoice.forget(event.ticket.id);
    if (!state) return;
    const w = state.windows.find((x) => x.id === event.window);
    if (w && w.current && w.current.id === event.ticket.id) w.current = null;
    renderWindows();
    // the banner never goes on calling a citizen who has been served, left, or been sent elsewhere
    const node = $("now-calling");
    if (node.dataset.ticket === String(event.ticket.id)) {
      node.classList.remove("flash");
      node.replaceChildren(t("welcome"));
      delete node.dataset.ticket;
    }
  }

  $("sound-gate").addEventListener("click", () => { hallqVoice.unlock(); $("sound-gate").classList.add("hidden"); });

  if (!token) {
    error(t("no_token"));
    return;
  }
  const socket = hallq.connect(token, ["hall"], {
    // a new version of the hall's configuration (windows, zones, the voice): the room's snapshot again, as
    // after a reconnect (nothing already said is said again)
    config_changed: () => socket.emit("join", { room: "hall" }),
    snapshot: (s) => {
      if (s.room !== "hall") return;
      state = s;
      hallqVoice.configure(s.voice);
      $("hall-name").textContent = named(s.hall);
      renderWindows(); renderRecent(); renderWaiting(); restoreBanner();
      error("");
    },
    ticket_called: onCall,
    ticket_recalled: onCall,
    ticket_finished: onLeave,
    ticket_no_show: onLeave,
    ticket_transferred: onLeave,
    ticket_started: (e) => {
      hallqVoice.forget(e.ticket.id);  // the citizen is at the window: no need to call them again
      const w = state && state.windows.find((x) => x.id === e.window);
      if (w && w.current) { w.current.status = "serving"; }
    },
    queue_changed: (q) => { if (state) { state.waiting[q.zone_id] = q.waiting; renderWaiting(); } },
    window_changed: (c) => {
      const w = state && state.windows.find((x) => x.id === c.window_id);
      if (w) { w.state = c.state; renderWindows(); }
    },
  }, (up) => {
    $("live").classList.toggle("on", up);
    if (!up) error(t("reconnecting")); else error("");
  });
})();
