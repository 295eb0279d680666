// The 好差评 widget: five levels, reasons for the two bad ones, one submit. Used by the phone and the tablet.
"use strict";
const hallqRating = (() => {
  const LEVELS = [
    [5, "非常满意", "Very satisfied", "😄"], [4, "满意", "Satisfied", "🙂"], [3, "基本满意", "Fairly satisfied", "😐"],
    [2, "不满意", "Dissatisfied", "🙁"], [1, "非常不满意", "Very dissatisfied", "😠"],
  ];
  const LABELS = Object.fromEntries(LEVELS.map(([level, zh, en]) => [level, `${zh} · ${en}`]));

  // Renders into `node`; calls `send(level, reasons)` (a promise) once the citizen has chosen.
  function mount(node, reasons, send) {
    const { el } = hallq;
    const picked = new Set();
    const reasonBox = el("div", { class: "rate-reasons hidden" },
      el("p", {}, "请告诉我们原因（可多选）", el("span", { class: "en" }, "Tell us why (optional)")),
      ...reasons.map((reason) => el("button", {
        type: "button", class: "rate-reason", "aria-pressed": "false",
        onclick: (event) => {
          const on = !picked.has(reason);
          on ? picked.add(reason) : picked.delete(reason);
          event.currentTarget.setAttribute("aria-pressed", String(on));
        },
      }, reason)),
      el("button", { type: "button", class: "rate-send", onclick: () => submit(chosen) }, "提交评价 · Send"));
    const error = el("p", { class: "rate-error hidden", role: "alert" });
    let chosen = null, busy = false;
    async function submit(level) {
      if (busy) return;
      busy = true;
      try {
        await send(level, level <= 2 ? [...picked] : null);
      } catch (exc) {
        error.textContent = exc.message;
        error.classList.remove("hidden");
      } finally {
        busy = false;
      }
    }
    const buttons = LEVELS.map(([level, zh, en, face]) => el("button", {
      type: "button", class: `rate-level level-${level}`, "data-level": level,
      onclick: () => {
        chosen = level;
        for (const b of buttons) b.setAttribute("aria-pressed", String(b === buttons[5 - level]));
        if (level <= 2) reasonBox.classList.remove("hidden");
        else submit(level);
      },
    }, el("span", { class: "rate-face" }, face), zh, el("span", { class: "en" }, en)));
    node.replaceChildren(el("div", { class: "rate-levels" }, ...buttons), reasonBox, error);
  }

  return { mount, LABELS };
})();
