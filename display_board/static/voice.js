// Call announcements, offline: the server's recording of the call (espeak-ng or Piper, docs/voice.md), else the
// browser's own local Chinese voice, else a chime. One call at a time, in the order they came; a recall is
// spoken again; nothing is replayed after a reconnect (only pushes are announced, never snapshots). On a busy
// morning every call is heard within seconds: a call is repeated only when no newer call waits, a newer call of
// the same window replaces one not yet said, and a call whose ticket ended meanwhile is dropped.
"use strict";
const hallqVoice = (() => {
  const queue = [];
  let busy = false, audio = null, voice = null;
  let settings = { engine: "browser", repeat: 2, pause_s: 1, volume: 1, english: false };
  // what was played, newest last: {ticket, lang, how, called, start, end}, page milliseconds (called: when the
  // push came), for diagnostics and tests
  const played = [];
  const failed = [];  // recordings that did not play to their end, with why
  const status = { now: "idle" };  // what the voice is doing (diagnostics)

  function pickVoice() {
    if (!("speechSynthesis" in window)) return null;
    const voices = speechSynthesis.getVoices().filter((v) => v.localService !== false);
    return voices.find((v) => /^zh(-|_)?CN/i.test(v.lang)) || voices.find((v) => /^zh/i.test(v.lang)) || null;
  }
  if ("speechSynthesis" in window) {
    voice = pickVoice();
    speechSynthesis.addEventListener?.("voiceschanged", () => { voice = pickVoice(); });
  }
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

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
    [[880, 0], [660, 0.3]].forEach(([freq, at]) => {
      const osc = ctx.createOscillator(), gain = ctx.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, now + at);
      gain.gain.exponentialRampToValueAtTime(0.4 * settings.volume + 0.0001, now + at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + at + 0.4);
      osc.connect(gain).connect(ctx.destination);
      osc.start(now + at);
      osc.stop(now + at + 0.45);
    });
    return sleep(700);
  }

  function speak(text, lang, rate = 1) {
    if (!voice || lang !== "zh") return Promise.resolve(false);
    return new Promise((resolve) => {
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.voice = voice;
      utterance.lang = voice.lang;
      utterance.rate = 0.9 * rate;
      utterance.volume = settings.volume;
      utterance.onend = () => resolve(true);
      utterance.onerror = () => resolve(false);
      speechSynthesis.speak(utterance);
    });
  }

  // The server's recording as an object URL, or null (this hall speaks in the browser, or it failed).
  async function recording(call, lang, token) {
    if (settings.engine === "browser") return null;
    try {
      const response = await fetch(`${hallq.root}/api/v1/tickets/${call.ticket.id}/call.wav?lang=${lang}`,
        { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5000) });
      return response.ok ? URL.createObjectURL(await response.blob()) : null;
    } catch (error) {
      return null;
    }
  }

  // One audio element for every recording: browsers limit how many media players a page may create.
  let player = null;
  function play(url, entry, rate = 1) {
    player = player || new Audio();
    player.preservesPitch = true;  // faster, not higher
    return new Promise((resolve) => {
      let done = false, guard = null;
      const finish = (ok, why) => { if (!done) { done = true; entry.why = why; clearTimeout(guard); resolve(ok); } };
      // a recording that stalls must not silence the display: give up a little after its length
      const giveUpIn = (ms, why) => { clearTimeout(guard); guard = setTimeout(() => finish(false, why), ms); };
      giveUpIn(15_000, "no metadata");
      player.onloadedmetadata = () => {
        entry.duration = player.duration;
        if (Number.isFinite(player.duration)) giveUpIn(player.duration * 1000 + 3000, `stalled at ${player.currentTime}`);
      };
      player.onended = () => finish(true, "ended");
      player.onerror = () => finish(false, `error ${player.error && player.error.code}`);
      player.defaultPlaybackRate = rate;  // loading a recording resets playbackRate to this
      player.src = url;
      player.playbackRate = rate;
      player.volume = settings.volume;
      player.play().catch((error) => finish(false, `play: ${error.name}`));
    });
  }

  async function sayOnce(call, lang, url, called, rate = 1) {
    const entry = { ticket: call.ticket.number, lang, how: url ? "server" : "browser", called, start: performance.now(), rate };
    const text = lang === "zh" ? call.announce : call.announce_en;
    played.push(entry);  // listed while it plays
    const spoken = url ? await play(url, entry, rate) : await speak(text, lang, rate);
    entry.end = performance.now();
    if (!spoken) failed.push(...played.splice(played.indexOf(entry), 1));
    return spoken;
  }

  // recordings asked for ahead of their turn, by ticket and language; taken (or thrown away) once
  const ahead = new Map();
  const keyOf = (call, lang) => `${call.ticket.id}:${lang}:${call.at || ""}`;
  function fetched(call, lang, token) {
    const key = keyOf(call, lang);
    if (!ahead.has(key)) ahead.set(key, recording(call, lang, token));
    return ahead.get(key);
  }
  // said: its recordings are revoked by drain(); dropped before its turn: revoked here
  function forgetRecordings(call, revoke) {
    for (const lang of ["zh", "en"]) {
      const key = keyOf(call, lang);
      if (revoke && ahead.has(key)) ahead.get(key).then((url) => url && URL.revokeObjectURL(url));
      ahead.delete(key);
    }
  }

  // With calls waiting behind this one the voice catches up: no chime between calls said back to back, and
  // the recording a little faster (its pitch kept); each is said once. A lone call: the chime, normal speed,
  // `repeat` times.
  // 1.5: espeak-ng at 150 wpm says about 156 syllables a minute; 1.5 times that is ordinary spoken Mandarin
  const CATCH_UP_RATE = 1.5;
  async function drain() {
    if (busy) return;
    busy = true;
    let sequence = false;  // a call was just said: the next follows it without a chime
    while (queue.length) {
      const { call, token, called } = queue.shift();
      const english = settings.english && call.announce_en;
      const rate = queue.length ? CATCH_UP_RATE : 1;
      // fetched while the chime plays (or while the call before it played): the voice follows at once
      status.now = `fetching ${call.ticket.number}`;
      const urls = Promise.all([fetched(call, "zh", token), english ? fetched(call, "en", token) : null]);
      if (queue.length) {  // the next call's recording, while this one is said
        const next = queue[0];
        fetched(next.call, "zh", next.token);
        if (settings.english && next.call.announce_en) fetched(next.call, "en", next.token);
      }
      if (!sequence) {
        status.now = `chime ${call.ticket.number}`;
        await chime();
      }
      status.now = `waiting for ${call.ticket.number}`;
      const [zh, en] = await urls;
      status.now = `saying ${call.ticket.number}`;
      for (let round = 0; round < settings.repeat; round += 1) {
        if (round && queue.length) break;  // newer calls wait: each is heard once, soon, rather than twice, late
        if (round) await sleep(settings.pause_s * 1000);
        const spoke = await sayOnce(call, "zh", zh, called, rate);
        if (english && (en || spoke)) await sayOnce(call, "en", en, called, rate);
        if (!spoke) break;  // no voice here at all: the chime said it
      }
      forgetRecordings(call, false);
      [zh, en].forEach((url) => url && URL.revokeObjectURL(url));
      sequence = queue.length > 0;
    }
    busy = false;
    status.now = "idle";
  }

  return {
    configure(voiceSettings) { if (voiceSettings) settings = { ...settings, ...voiceSettings }; },
    announce(call, token) {
      // a newer call of the same window (its next citizen, a recall) replaces one not yet said
      const windowId = call.window && call.window.id;
      for (let i = queue.length - 1; i >= 0; i -= 1) {
        if (windowId && queue[i].call.window && queue[i].call.window.id === windowId) forgetRecordings(queue.splice(i, 1)[0].call, true);
      }
      queue.push({ call, token, called: performance.now() });
      drain();
    },
    // the ticket was served, not seen or sent elsewhere before its call was said: it is not said at all
    forget(ticketId) {
      for (let i = queue.length - 1; i >= 0; i -= 1) if (queue[i].call.ticket.id === ticketId) forgetRecordings(queue.splice(i, 1)[0].call, true);
    },
    hasVoice: () => !!voice || settings.engine !== "browser",
    blocked: () => !!context() && context().state === "suspended",
    unlock: () => context() && context().resume(),
    played,
    failed,
    status,
  };
})();
