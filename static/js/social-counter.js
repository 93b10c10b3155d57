// Live counter for social posts: progressive enhancement only. The server counts
// the same way (recognition/social/text.py) and shows its count when the page
// loads; this keeps it current as people type. Graphemes are what a reader sees
// as one character (an emoji with a skin tone is one).
const segmenter = "Segmenter" in Intl ? new Intl.Segmenter("en", { granularity: "grapheme" }) : null;
const LINK = /https?:\/\/[^\s<>"]+/g;
const TRAILING = /[.,;:!?)\]}'\u2019\u201d]+$/;
const REMOTE_MENTION = /(^|[^\p{L}\p{N}_/@])(@[\p{L}\p{N}_]+)@[\p{L}\p{N}_.-]*[\p{L}\p{N}_]/gu;
const encoder = new TextEncoder();

const graphemes = (text) => (segmenter ? [...segmenter.segment(text)].length : Array.from(text).length);
const plural = (number, word) => `${number.toLocaleString("en-GB")} ${word}${number === 1 ? "" : "s"}`;

function counted(text, rules) {
  if (rules.urlLength) {
    text = text.replace(LINK, (match) => {
      const link = match.replace(TRAILING, "");
      return "x".repeat(rules.urlLength) + match.slice(link.length);
    });
  }
  if (rules.shortMentions) text = text.replace(REMOTE_MENTION, "$1$2");
  return rules.graphemes ? graphemes(text) : Array.from(text).length;
}

function message(text, rules) {
  const remaining = rules.limit - counted(text, rules);
  let words =
    remaining >= 0
      ? `You have ${plural(remaining, "character")} remaining`
      : `You have ${plural(-remaining, "character")} too many`;
  const bytes = encoder.encode(text).length;
  const over = rules.bytes && bytes > rules.bytes;
  if (over) words += `, and ${plural(bytes - rules.bytes, "byte")} too many`;
  return { words, tooLong: remaining < 0 || over };
}

for (const group of document.querySelectorAll('[data-module="app-social-counter"]')) {
  const box = group.querySelector("textarea");
  const shown = group.querySelector("[data-counter-message]");
  const status = group.querySelector("[data-counter-status]");
  if (!box || !shown || !status) continue;
  const rules = {
    limit: Number(box.dataset.counterLimit),
    graphemes: box.dataset.counterGraphemes === "true",
    bytes: Number(box.dataset.counterBytes) || 0,
    urlLength: Number(box.dataset.counterUrlLength) || 0,
    shortMentions: box.dataset.counterShortMentions === "true",
  };
  let announce;
  const render = () => {
    const { words, tooLong } = message(box.value, rules);
    shown.textContent = words;
    shown.classList.toggle("govuk-error-message", tooLong);
    shown.classList.toggle("govuk-hint", !tooLong);
    return words;
  };
  box.addEventListener("input", () => {
    const words = render();
    // Screen readers hear the count once typing pauses, not at every key.
    window.clearTimeout(announce);
    announce = window.setTimeout(() => {
      status.textContent = words;
    }, 1000);
  });
  render();
}
