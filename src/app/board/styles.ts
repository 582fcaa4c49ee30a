/**
 * The board's only stylesheet, inlined (no external assets, allowed by the CSP nonce). Colours come
 * from `PALETTE`; every text colour is used only on the backgrounds listed in `TEXT_PAIRS`, and
 * test/app/board.test.ts checks each of those pairs reaches a contrast of 4.5:1 (WCAG AA).
 */
export const PALETTE = {
  page: "#f6f8fa",
  surface: "#ffffff",
  column: "#eaeef2",
  text: "#1f2328",
  muted: "#4d5761",
  link: "#0550ae",
  border: "#c9d1d9",
  focus: "#0550ae",
  urgentText: "#ffffff",
  urgentBg: "#b42318",
  highText: "#7a2e0e",
  highBg: "#fdead7",
  normalText: "#1f2328",
  normalBg: "#e1e6eb",
  lowText: "#3d4852",
  lowBg: "#f0f3f6",
  passText: "#0f5323",
  passBg: "#d3f5dc",
  failText: "#8c1020",
  failBg: "#ffe3e1",
  pendingText: "#6b4200",
  pendingBg: "#fff4c2",
} as const;

type Colour = keyof typeof PALETTE;

/** Every (text, background) pair the stylesheet uses, for the contrast check. */
export const TEXT_PAIRS: readonly (readonly [Colour, Colour])[] = [
  ["text", "page"],
  ["text", "surface"],
  ["text", "column"],
  ["muted", "page"],
  ["muted", "surface"],
  ["muted", "column"],
  ["link", "page"],
  ["link", "surface"],
  ["link", "column"],
  ["urgentText", "urgentBg"],
  ["highText", "highBg"],
  ["normalText", "normalBg"],
  ["lowText", "lowBg"],
  ["passText", "passBg"],
  ["failText", "failBg"],
  ["pendingText", "pendingBg"],
];

const p = PALETTE;

export const STYLESHEET = `
*,*::before,*::after{box-sizing:border-box}
html{font-size:15px}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;line-height:1.4;color:${p.text};background:${p.page}}
a{color:${p.link}}
a:hover{text-decoration-thickness:2px}
:focus-visible{outline:3px solid ${p.focus};outline-offset:2px;border-radius:2px}
.visually-hidden{position:absolute!important;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.skip-link{position:absolute;left:.5rem;top:-3rem;background:${p.surface};padding:.4rem .7rem;border:2px solid ${p.focus};z-index:10}
.skip-link:focus{top:.5rem}
.top{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.25rem;padding:.6rem 1.25rem;background:${p.surface};border-bottom:1px solid ${p.border}}
.top h1{font-size:1.25rem;margin:0}
.top .back{margin:0}
.filters{display:flex;flex-wrap:wrap;align-items:center;gap:.4rem .6rem;margin:0}
.filters label{font-size:.9rem;color:${p.muted}}
.filters input{font:inherit;font-size:.9rem;width:9rem;padding:.2rem .4rem;border:1px solid ${p.muted};border-radius:4px;color:${p.text};background:${p.surface}}
button,.button{font:inherit;font-size:.9rem;padding:.2rem .7rem;border:1px solid ${p.muted};border-radius:4px;background:${p.surface};color:${p.text};cursor:pointer;text-decoration:none}
.refresh{display:flex;align-items:center;gap:.6rem;margin-left:auto;font-size:.85rem;color:${p.muted}}
.refresh p{margin:0}
main{padding:.75rem 1.25rem 2rem}
main:focus{outline:none}
.filter-summary{margin:0 0 .6rem;color:${p.muted}}
.notice{margin:0 0 .6rem;padding:.4rem .7rem;border-radius:4px;color:${p.pendingText};background:${p.pendingBg}}
.columns{display:grid;grid-template-columns:repeat(7,minmax(10.5rem,1fr));gap:.6rem;align-items:start;overflow-x:auto;padding-bottom:.4rem}
.column{background:${p.column};border-radius:6px;padding:.5rem;border-top:4px solid ${p.border};min-width:0}
.column h2{font-size:.95rem;margin:0 0 .4rem;display:flex;justify-content:space-between;gap:.4rem}
.column .count{font-weight:600;color:${p.muted}}
.column-todo{border-top-color:#57606a}.column-in_progress{border-top-color:#0969da}.column-needs_input{border-top-color:#bf8700}
.column-verifying{border-top-color:#8250df}.column-in_review{border-top-color:#1b7c83}.column-done{border-top-color:#1a7f37}.column-cancelled{border-top-color:#8c959f}
.cards{list-style:none;margin:0;padding:0;display:grid;gap:.45rem}
.empty{margin:.2rem 0;font-size:.85rem;color:${p.muted}}
.more{margin:.4rem 0 0;font-size:.85rem}
.card{background:${p.surface};border:1px solid ${p.border};border-radius:6px;padding:.45rem .55rem;font-size:.85rem}
.card:focus-within{border-color:${p.focus};box-shadow:0 0 0 1px ${p.focus}}
.card h3{font-size:.9rem;margin:0 0 .3rem;font-weight:600;overflow-wrap:anywhere}
.card h3 a{text-decoration:none;color:${p.text}}
.card .title{display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:3;overflow:hidden}
.card h3 a:hover{text-decoration:underline}
.card .key{color:${p.link};margin-right:.25rem}
.facts{display:flex;flex-wrap:wrap;gap:.1rem .7rem;margin:0}
.facts div{display:flex;gap:.25rem;min-width:0}
.facts dt{color:${p.muted}}
.facts dd{margin:0;overflow-wrap:anywhere}
.card .note{margin:.3rem 0 0;color:${p.muted}}
.badge{display:inline-block;white-space:nowrap;padding:0 .35rem;border-radius:3px;font-size:.8rem;font-weight:600}
.prio-urgent{color:${p.urgentText};background:${p.urgentBg}}
.prio-high{color:${p.highText};background:${p.highBg}}
.prio-normal{color:${p.normalText};background:${p.normalBg}}
.prio-low{color:${p.lowText};background:${p.lowBg}}
.status-pass{color:${p.passText};background:${p.passBg}}
.status-fail{color:${p.failText};background:${p.failBg}}
.status-pending{color:${p.pendingText};background:${p.pendingBg}}
.warn{color:${p.failText};background:${p.failBg};padding:0 .25rem;border-radius:3px}
.panels{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:.75rem;margin-top:1rem}
.panel{background:${p.surface};border:1px solid ${p.border};border-radius:6px;padding:.6rem .8rem;min-width:0}
.panel h2,.section h2{font-size:1rem;margin:0 0 .5rem}
.plain{list-style:none;margin:0;padding:0;display:grid;gap:.5rem;font-size:.85rem}
.plain li{overflow-wrap:anywhere}
.meta{color:${p.muted};font-size:.85rem}
.decisions{margin:.2rem 0 0;padding-left:1.1rem}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em}
.ticket-grid{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1.5fr);gap:.75rem;align-items:start}
.section{background:${p.surface};border:1px solid ${p.border};border-radius:6px;padding:.6rem .8rem;margin-bottom:.75rem;min-width:0}
.summary{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem;margin:0;font-size:.9rem}
.summary dt{color:${p.muted}}
.summary dd{margin:0;overflow-wrap:anywhere}
.body{white-space:pre-wrap;overflow-wrap:anywhere;font:inherit;font-size:.9rem;margin:0}
.table-wrap{overflow-x:auto}
.table-wrap+.table-wrap{margin-top:.8rem}
.nowrap{white-space:nowrap}
table{border-collapse:collapse;width:100%;font-size:.85rem}
caption{text-align:left;font-weight:600;padding:0 0 .35rem;overflow-wrap:anywhere}
th,td{text-align:left;vertical-align:top;padding:.3rem .45rem;border-bottom:1px solid ${p.border};overflow-wrap:anywhere}
thead th{color:${p.muted};font-weight:600;white-space:nowrap}
tbody th{font-weight:600}
.age{color:${p.muted}}
@media (max-width:1100px){.panels,.ticket-grid{grid-template-columns:minmax(0,1fr)}}
@media (prefers-reduced-motion:reduce){*{transition:none!important;animation:none!important}}
`
  .trim()
  .replace(/\n/g, "");
