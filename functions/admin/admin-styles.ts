/**
 * The pages' one stylesheet (inline: the CSP allows inline style only). Colours pass WCAG AA contrast on
 * both schemes; series also differ by dash pattern, so no chart relies on colour alone.
 */
export const ADMIN_CSS = `
:root{color-scheme:light dark;--bg:#f7f7f8;--panel:#fff;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--head:#eef1f4;
--focus:#0550ae;--s0:#0550ae;--s1:#1a7f37;--s2:#cf222e;--s3:#8250df;--s4:#9a6700;--grid:#e4e7eb}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--panel:#161b22;--fg:#e6edf3;--muted:#9da7b3;--line:#30363d;
--head:#21262d;--focus:#79c0ff;--s0:#79c0ff;--s1:#56d364;--s2:#ff7b72;--s3:#d2a8ff;--s4:#e3b341;--grid:#262c34}}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:var(--fg);background:var(--bg)}
a{color:var(--focus)}a:focus-visible,button:focus-visible,select:focus-visible,input:focus-visible,summary:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:var(--panel);padding:.4rem;z-index:2}
header.top{display:flex;flex-wrap:wrap;gap:1rem;align-items:end;padding:1rem 1.5rem;border-bottom:1px solid var(--line);background:var(--panel)}
header.top h1{font-size:1.25rem;margin:0 1rem 0 0}
form.filters{display:flex;flex-wrap:wrap;gap:.6rem;align-items:end}
label{display:flex;flex-direction:column;font-size:.8rem;color:var(--muted);gap:.15rem}
select,input,button{font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:.3rem .5rem}
button{cursor:pointer;background:var(--head)}
main{padding:1rem 1.5rem 2rem}
h2{font-size:1.05rem;margin:1.5rem 0 .5rem}h3{font-size:.95rem;margin:.2rem 0 .4rem}
.meta,.empty{color:var(--muted)}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,520px),1fr));gap:1rem}
.card{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:.8rem 1rem}
svg.chart{width:100%;height:auto;display:block}
svg.chart text{fill:var(--muted);font-size:11px}
svg.chart .gridline{stroke:var(--grid)}svg.chart .axis{stroke:var(--line)}
svg.chart .series{fill:none;stroke-width:2}
.s0{stroke:var(--s0);fill:var(--s0)}.s1{stroke:var(--s1);fill:var(--s1)}.s2{stroke:var(--s2);fill:var(--s2)}
.s3{stroke:var(--s3);fill:var(--s3)}.s4{stroke:var(--s4);fill:var(--s4)}
.d1{stroke-dasharray:6 3}.d2{stroke-dasharray:2 3}.d3{stroke-dasharray:8 3 2 3}.d4{stroke-dasharray:1 2}
ul.legend{list-style:none;display:flex;flex-wrap:wrap;gap:.2rem 1rem;padding:0;margin:.3rem 0 0;font-size:.85rem}
ul.legend svg{vertical-align:middle;margin-right:.3rem}
table{border-collapse:collapse;background:var(--panel);font-variant-numeric:tabular-nums;width:100%}
caption{text-align:left;color:var(--muted);padding:.2rem 0}
th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:var(--head);font-weight:600}td.num,th.num{text-align:right}
td{max-width:36rem;overflow-wrap:anywhere}.scroll{overflow-x:auto}
.badge{display:inline-block;padding:0 .4rem;border-radius:1rem;border:1px solid var(--line);white-space:nowrap}
.st-failed{color:var(--s2)}.st-succeeded{color:var(--s1)}
.status-line{font-size:.85rem;color:var(--muted)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}dt{color:var(--muted)}dd{margin:0}
blockquote{margin:.3rem 0;padding:.3rem .6rem;border-left:3px solid var(--line);white-space:pre-wrap}
`;
