// Offline announcements: the browser's own speech synthesis when it has a Chinese voice, else a chime.
// Nothing here reaches the internet: speechSynthesis voices marked localService only, WebAudio for the chime.
"use strict";
const hallqVoice = (() => {
  const queue = [];
  let speaking = false, audio = null, voice = null;

  function pickVoice() {
    if (!("speechSynthesis" in window)) return null;
    const voices = speechSynthesis.getVoices().filter((v) => v.localService !== false);
    return voices.find((v) => /^zh(-|_)?CN/i.test(v.lang)) || voices.find((v) => /^zh/i.test(v.lang)) || null;
  }
  if ("speechSynthesis" in window) {
    voice = pickVoice();
    speechSynthesis.addEventListener?.("voiceschanged", () => { voice = pickVoice(); });
  }

  function context() {
    if (!audio && (window.AudioContext || window.webkitAudioContext)) {
      audio = new (window.AudioContext || window.webkitAudioContext)();
    }
    return audio;
  }

  // Two-tone "ding-dong", made on the spot, so no sound file and no network.
  function chime() {
    const ctx = context();
    if (!ctx) return Promise.resolve();
    const now = ctx.currentTime;
    [[880, 0], [660, 0.45]].forEach(([freq, at]) => {
      const osc = ctx.createOscillator(), gain = ctx.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, now + at);
      gain.gain.exponentialRampToValueAtTime(0.4, now + at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + at + 0.8);
      osc.connect(gain).connect(ctx.destination);
      osc.start(now + at);
      osc.stop(now + at + 0.85);
    });
    return new Promise((resolve) => setTimeout(resolve, 1300));
  }

  function speak(text) {
    if (!voice) return Promise.resolve(false);
    return new Promise((resolve) => {
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.voice = voice;
      utterance.lang = voice.lang;
      utterance.rate = 0.9;
      utterance.onend = () => resolve(true);
      utterance.onerror = () => resolve(false);
      speechSynthesis.speak(utterance);
    });
  }

  async function drain() {
    if (speaking) return;
    speaking = true;
    while (queue.length) {
      const text = queue.shift();
      await chime();
      // halls say a call twice
      if (await speak(text)) await speak(text);
    }
    speaking = false;
  }

  return {
    announce(text) { queue.push(text); drain(); },
    hasVoice: () => !!voice,
    blocked: () => !!context() && context().state === "suspended",
    unlock: () => context() && context().resume(),
  };
})();
