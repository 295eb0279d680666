// The 好差评 widget: five levels, the content each level offers (a reason required for the two bad ones), one
// submit. Used by the phone and the tablet.
"use strict";
const hallqRating = (() => {
  // level, Chinese, English, the mouth's curve (drawn as SVG: no emoji font on a hall's Linux PC)
  const LEVELS = [
    [5, "非常满意", "Very satisfied", 7], [4, "满意", "Satisfied", 4], [3, "基本满意", "Fairly satisfied", 0],
    [2, "不满意", "Dissatisfied", -4], [1, "非常不满意", "Very dissatisfied", -7],
  ];
  const english = hallq.lang === "en";
  const LABELS = Object.fromEntries(LEVELS.map(([level, zh, en]) => [level, english ? en : zh]));
  const say = (zh, en) => (english ? en : zh);

  function face(curve) {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 40 40");
    svg.setAttribute("class", "rate-face");
    svg.setAttribute("aria-hidden", "true");
    svg.innerHTML = '<circle cx="20" cy="20" r="18" fill="#ffd54a" stroke="#b8860b" stroke-width="1.5"/>'
      + '<circle cx="13.5" cy="15" r="2.4" fill="#3b2a00"/><circle cx="26.5" cy="15" r="2.4" fill="#3b2a00"/>'
      + `<path d="M11 ${26 - curve / 2} Q20 ${26 + curve} 29 ${26 - curve / 2}" fill="none" stroke="#3b2a00"`
      + ' stroke-width="2.6" stroke-linecap="round"/>';
    return svg;
  }

  // Renders into `node`; `content` is the hall's [ratings.indicators] ({version, top, by_level}); calls
  // `send(level, reasons, comment)` (a promise) once the citizen has chosen. The content shown depends on the
  // level chosen; a bad level (1, 2) needs a reason chosen or written before it is sent.
  function mount(node, content, send) {
    const { el } = hallq;
    const picked = new Set();
    // "其他" (other) opens a line of the citizen's own words, sent as the comment
    const isOther = (text) => /^(其他|其它|other)$/i.test(text.trim());
    const otherText = el("input", {
      type: "text", class: "rate-other hidden", maxlength: 200, "aria-label": say("其他原因", "Other reason"),
      placeholder: say("请简单说明", "In a few words"),
      oninput: () => error.classList.add("hidden"),
    });
    const prompt = el("p", {});
    const choices = el("div", { class: "rate-choices" });
    const reasonBox = el("div", { class: "rate-reasons hidden" }, prompt, choices, otherText,
      el("button", { type: "button", class: "rate-send", onclick: () => submit(chosen) }, say("提交评价", "Send")));
    const error = el("p", { class: "rate-error hidden", role: "alert" });
    let chosen = null, busy = false;
    function showContent(level) {
      picked.clear();
      otherText.value = "";
      otherText.classList.add("hidden");
      error.classList.add("hidden");
      const bad = level <= 2;
      prompt.textContent = bad ? say("请选择或填写原因（必填，可多选）", "Tell us why (required; choose one or more)")
        : say("您可以选择评价内容（可多选）", "Anything to add? (optional)");
      const items = (content.by_level && content.by_level[level]) || [];
      const groups = new Map();
      for (const item of items) {
        if (!groups.has(item.indicator)) groups.set(item.indicator, []);
        groups.get(item.indicator).push(item.text);
      }
      choices.replaceChildren(...[...groups].map(([indicator, texts]) => el("div", { class: "rate-group" },
        el("span", { class: "rate-indicator" }, indicator),
        el("div", { class: "rate-group-items" }, ...texts.map((text) => el("button", {
          type: "button", class: "rate-reason", "aria-pressed": "false", "data-text": text,
          onclick: (event) => {
            const on = !picked.has(text);
            on ? picked.add(text) : picked.delete(text);
            event.currentTarget.setAttribute("aria-pressed", String(on));
            error.classList.add("hidden");
            if (isOther(text)) { otherText.classList.toggle("hidden", !on); if (on) otherText.focus(); }
          },
        }, text))))));
      reasonBox.classList.remove("hidden");
    }
    async function submit(level) {
      if (busy || level === null) return;
      const words = otherText.classList.contains("hidden") ? "" : otherText.value.trim();
      const reasons = [...picked];
      if (level <= 2 && !words && !reasons.filter((text) => !isOther(text)).length) {
        error.textContent = say("请选择或填写原因", "Please choose or write a reason");
        error.classList.remove("hidden");
        error.scrollIntoView({ block: "nearest" });  // below the fold on a 1366x768 tablet
        return;
      }
      busy = true;
      try {
        await send(level, reasons.length ? reasons : null, words || null);
      } catch (exc) {
        error.textContent = exc.message;
        error.classList.remove("hidden");
        error.scrollIntoView({ block: "nearest" });
      } finally {
        busy = false;
      }
    }
    const buttons = LEVELS.map(([level, zh, en, curve]) => el("button", {
      type: "button", class: `rate-level level-${level}`, "data-level": level,
      onclick: () => {
        chosen = level;
        for (const b of buttons) b.setAttribute("aria-pressed", String(b === buttons[5 - level]));
        showContent(level);
      },
    }, face(curve), say(zh, en)));
    node.replaceChildren(el("div", { class: "rate-levels" }, ...buttons), reasonBox, error);
  }

  return { mount, LABELS };
})();
