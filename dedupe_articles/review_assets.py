"""The inline stylesheet and script of the review page (see :mod:`dedupe_articles.review`).

Kept apart from the HTML builder so that each stays readable. The page loads
nothing from the network: fonts are the reader's own (Inter if installed, then the
system UI font, then CJK fallbacks chosen by the article's ``lang``).
"""

from __future__ import annotations

CSS = """
:root{
  --ui:"Inter",system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,
    "Hiragino Sans","Noto Sans CJK JP","PingFang SC","Microsoft YaHei","Apple SD Gothic Neo",
    "Malgun Gothic",sans-serif;
  --mono:ui-monospace,"SFMono-Regular","JetBrains Mono",Menlo,Consolas,"Liberation Mono",monospace;
  --bg:#f5f6f8;--card:#fff;--ink:#1d2430;--ink2:#4a5565;--mute:#8a94a3;--line:#e3e6eb;
  --accent:#3056d3;--bad:#c8372d;--good:#1e8e50;--radius:10px;
}
*{box-sizing:border-box}
[hidden]{display:none!important}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 var(--ui);
  font-feature-settings:"cv11","ss01";-webkit-font-smoothing:antialiased}
.wrap{max-width:1320px;margin:0 auto;padding:0 28px}
.top{background:var(--card);border-bottom:1px solid var(--line)}
.top .wrap{display:flex;align-items:baseline;gap:16px;padding-top:18px;padding-bottom:16px}
h1{font-size:19px;font-weight:650;letter-spacing:-.01em;margin:0}
.sub{color:var(--mute);margin:0;font-size:13px}
.logo{display:inline-grid;place-items:center;width:26px;height:26px;border-radius:7px;
  background:var(--ink);color:#fff;font:700 13px var(--mono);align-self:center}
.summary{display:grid;grid-template-columns:minmax(0,1.15fr) minmax(0,1fr);gap:16px;
  margin:22px 0 18px}
.stats{display:grid;grid-template-columns:repeat(5,minmax(0,1fr));gap:10px}
.stat,.chart{background:var(--card);border:1px solid var(--line);border-radius:var(--radius)}
.stat{padding:14px 16px 13px;display:flex;flex-direction:column;justify-content:center}
.stat .n{display:block;font-size:26px;font-weight:650;letter-spacing:-.02em;
  font-variant-numeric:tabular-nums;line-height:1.15}
.stat .l{display:block;color:var(--ink2);font-size:12.5px;margin-top:4px}
.stat .x{display:block;color:var(--mute);font-size:12px;margin-top:1px}
.stat.changed .n{color:var(--accent)}
.stat.failed.some .n{color:var(--bad)}
.stat.removed{grid-column:span 1}
.chart{margin:0;padding:12px 16px 8px;display:flex;flex-direction:column}
.chart figcaption{display:flex;justify-content:space-between;font-size:12.5px;color:var(--ink2)}
.chart figcaption span{color:var(--mute)}
.plot{position:relative;margin:10px 0 6px;flex:1;min-height:64px}
.plot svg{position:absolute;top:0;bottom:0;left:36px;width:calc(100% - 36px);height:100%;
  overflow:visible}
.ax{position:absolute;left:0;width:30px;text-align:right;transform:translateY(50%);
  color:var(--mute);font-size:10px;line-height:1;font-variant-numeric:tabular-nums}
.chart .grid{stroke:var(--line);stroke-width:1}
.chart rect.bar{fill:var(--accent);opacity:.85}
.chart rect.bar.unchanged{fill:#c9ced6}
.chart rect.bar.failed{fill:var(--bad)}
.chart a:hover rect.bar{opacity:1;fill:#1f3fa8}
.toolbar{position:sticky;top:0;z-index:5;background:rgba(245,246,248,.94);backdrop-filter:blur(6px);
  display:flex;flex-wrap:wrap;align-items:center;gap:10px 14px;padding:10px 0;
  border-bottom:1px solid var(--line)}
.search{position:relative;flex:0 1 380px}
.search svg{position:absolute;left:10px;top:50%;transform:translateY(-50%);color:var(--mute)}
.search input{width:100%;font:inherit;padding:7px 10px 7px 32px;border:1px solid #cfd4dc;
  border-radius:8px;background:#fff;color:var(--ink)}
.search input:focus,select:focus,button:focus-visible{outline:2px solid rgba(48,86,211,.35);
  outline-offset:1px;border-color:var(--accent)}
select{font:inherit;padding:6px 8px;border:1px solid #cfd4dc;border-radius:8px;background:#fff;
  color:var(--ink)}
.toolbar label{color:var(--ink2);font-size:13px;display:flex;align-items:center;gap:6px}
#count{color:var(--mute);font-size:13px;margin-left:auto;font-variant-numeric:tabular-nums}
.legend{display:flex;flex-wrap:wrap;gap:6px 14px;padding:10px 0 12px;font-size:12.5px;
  color:var(--ink2)}
.legend span{display:inline-flex;align-items:center;gap:6px;cursor:help}
.sw{width:11px;height:11px;border-radius:3px;background:var(--hl);
  box-shadow:inset 0 0 0 1.5px var(--hb);
  flex:none;display:inline-block}
.k-marker{--hl:#e7e9ee;--hb:#6b7483}
.k-duplicate{--hl:#fde3e0;--hb:#d2493e}
.k-near_duplicate{--hl:#feead5;--hb:#d8730f}
.k-truncated{--hl:#fcf1c2;--hb:#b58800}
.k-shorter_variant{--hl:#eee7fd;--hb:#7b57d1}
.k-merged{--hl:#dbf4e4;--hb:#1f8f52}
.k-echo{--hl:#fce2f1;--hb:#c2378b}
.k-stitched{--hl:#dcebfe;--hb:#2468d8}
#files{display:flex;flex-direction:column;gap:8px;padding-bottom:40px}
.file{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);
  overflow:hidden}
.file.open{box-shadow:0 6px 24px rgba(20,30,50,.07);border-color:#d3d8e0}
.fh{all:unset;box-sizing:border-box;width:100%;cursor:pointer;display:grid;align-items:center;
  grid-template-columns:16px minmax(0,1fr) auto 120px 118px;gap:14px;padding:11px 16px}
.fh:hover{background:#fafbfc}
.fh:focus-visible{outline:2px solid rgba(48,86,211,.35);outline-offset:-2px}
.chev{width:8px;height:8px;border-right:2px solid var(--mute);border-bottom:2px solid var(--mute);
  transform:rotate(-45deg);transition:transform .15s;margin-left:2px}
.open .chev{transform:rotate(45deg)}
.path{font-weight:560;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.path .dir{color:var(--mute);font-weight:450}
.chips{display:flex;gap:5px;flex-wrap:wrap;justify-content:flex-end}
.chip{display:inline-flex;align-items:center;gap:5px;font-size:11.5px;color:var(--ink2);
  background:#f3f4f7;border-radius:999px;padding:1px 8px 1px 6px;white-space:nowrap}
.chip b{font-weight:650;color:var(--ink);font-variant-numeric:tabular-nums}
.badge{font-size:11.5px;border-radius:999px;padding:1px 9px;white-space:nowrap}
.badge.unchanged{background:#eef0f3;color:var(--ink2)}
.badge.failed{background:#fde3e0;color:var(--bad);font-weight:600}
.meter{height:6px;border-radius:3px;background:#edf0f4;overflow:hidden}
.meter i{display:block;height:100%;background:var(--accent);border-radius:3px}
.delta{text-align:right;font-variant-numeric:tabular-nums;font-size:13px;white-space:nowrap}
.delta small{color:var(--mute);font-size:12px;margin-left:6px}
.fb{border-top:1px solid var(--line)}
.vbar{display:flex;flex-wrap:wrap;align-items:center;gap:8px 14px;padding:10px 16px;
  background:#fafbfc;
  border-bottom:1px solid var(--line);font-size:13px;color:var(--ink2)}
.seg{display:inline-flex;background:#eceef2;border-radius:8px;padding:2px}
.seg button,.nav button{font:inherit;font-size:12.5px;border:0;background:none;color:var(--ink2);
  padding:5px 11px;border-radius:6px;cursor:pointer}
.seg button[aria-pressed=true]{background:#fff;color:var(--ink);font-weight:600;
  box-shadow:0 1px 2px rgba(0,0,0,.1)}
.nav{margin-left:auto;display:inline-flex;gap:4px}
.nav button{border:1px solid #d5d9e0;background:#fff}
.nav button:hover,.seg button:hover{color:var(--ink)}
.error{margin:14px 16px;padding:10px 12px;border-radius:8px;background:#fdf0ee;color:#8f231b;
  border:1px solid #f6cdc8;font-size:13px}
.article{--fs:15px;--lh:27px;font-size:var(--fs);line-height:var(--lh);max-height:74vh;
  overflow:auto;
  position:relative;padding:14px 0 18px;background:#fff;color:#222a35}
.article:lang(ja){font-family:"Inter","Hiragino Sans","Hiragino Kaku Gothic ProN",
  "Noto Sans CJK JP",
  "Noto Sans JP","Yu Gothic","Meiryo",sans-serif;line-break:strict}
.article:lang(zh){font-family:"Inter","PingFang SC","Noto Sans CJK SC","Noto Sans SC",
  "Microsoft YaHei","Source Han Sans SC",sans-serif}
.article:lang(ko){font-family:"Inter","Apple SD Gothic Neo","Noto Sans CJK KR","Noto Sans KR",
  "Malgun Gothic",sans-serif;word-break:keep-all}
.ln{position:relative;padding:0 28px 0 70px;white-space:pre-wrap;overflow-wrap:anywhere;tab-size:4;
  min-height:var(--lh);content-visibility:auto;contain-intrinsic-size:auto var(--lh)}
.ln::before{content:attr(data-n);position:absolute;left:0;width:48px;
  text-align:right;color:#b0b7c2;font:11px/var(--lh) var(--mono);user-select:none}
.ln.tb{background:var(--hl)}
.ln.tb::after{content:"";position:absolute;left:58px;top:0;bottom:0;width:3px;background:var(--hb)}
.empty{color:var(--mute);padding:8px 70px;font-style:italic}
mark{background:var(--hl);color:inherit;border-bottom:2px solid var(--hb);border-radius:2px;
  padding:2px 0;-webkit-box-decoration-break:clone;box-decoration-break:clone;cursor:help}
mark.ov{background-image:repeating-linear-gradient(135deg,transparent 0 5px,rgba(0,0,0,
  .07) 5px 7px)}
mark.hot,.pt.hot::before{box-shadow:0 0 0 2px var(--hb)}
.pt{cursor:help}
.pt::before{content:attr(data-label);display:inline-block;font:600 10.5px/17px var(--ui);color:#fff;
  background:var(--hb);border-radius:999px;padding:0 7px;margin:0 4px 0 1px;vertical-align:1px;
  letter-spacing:.02em}
.tag{cursor:help}
.tag::before{content:attr(data-label);display:inline-block;font:650 9.5px/15px var(--ui);
  text-transform:uppercase;letter-spacing:.05em;color:var(--hb);background:#fff;
  border:1px solid var(--hb);border-radius:4px;padding:0 5px;margin:0 6px 0 0;vertical-align:2px}
.tag.hot::before{background:var(--hl)}
.flash{animation:flash 1s ease-out}
@keyframes flash{0%{box-shadow:0 0 0 5px var(--hb)}100%{box-shadow:0 0 0 0 transparent}}
#tip{position:fixed;z-index:50;max-width:440px;background:#161b22;color:#e7ebf0;border-radius:9px;
  padding:10px 12px;font:12.5px/1.5 var(--ui);box-shadow:0 10px 30px rgba(0,0,0,.25);
  pointer-events:none}
#tip .ti+.ti{border-top:1px solid #2e3540;margin-top:8px;padding-top:8px}
#tip .tk{display:flex;align-items:center;gap:7px;font-weight:650}
#tip .sc{margin-left:auto;color:#9aa5b4;font-weight:450;font-variant-numeric:tabular-nums}
#tip .why{color:#d3d9e1}
#tip .m{color:#8d98a8;font-size:12px;margin-top:3px}
#tip .hint{color:#7f8a99;font-size:11.5px;margin-top:7px}
.ln.flash{animation:lineflash 1.6s ease-out}
@keyframes lineflash{0%,30%{background-color:#fff1a8}100%{background-color:transparent}}
.article [data-a]{cursor:pointer}
#tip .mx{color:#c5ccd6;font-size:12px;border-left:2px solid #3a4350;padding-left:8px;margin-top:3px}
.nomatch{color:var(--mute);text-align:center;padding:30px}
noscript p{background:#fff7d6;padding:10px 14px;border-radius:8px}
@media (max-width:980px){
  .summary{grid-template-columns:1fr}
  .stats{grid-template-columns:repeat(3,minmax(0,1fr))}
  .fh{grid-template-columns:16px minmax(0,1fr) 100px;grid-template-areas:none}
  .fh .chips,.fh .meter{display:none}
}
"""

JS = """
(function () {
  "use strict";
  var list = document.getElementById("files");
  var rows = Array.prototype.slice.call(list.querySelectorAll("section.file"));
  var filter = document.getElementById("filter");
  var sort = document.getElementById("sort");
  var count = document.getElementById("count");
  var none = document.getElementById("nomatch");
  var tip = document.getElementById("tip");
  var cache = {};

  function params() {
    var p = new URLSearchParams(location.search);
    new URLSearchParams(location.hash.replace(/^#/, "")).forEach(function (v, k) { p.set(k, v); });
    return p;
  }
  function syncHash() {
    var p = new URLSearchParams();
    if (filter.value) p.set("filter", filter.value);
    if (sort.value !== "name") p.set("sort", sort.value);
    var open = list.querySelector("section.file.open");
    if (open) {
      p.set("open", open.id);
      if (open.getAttribute("data-view") === "output") p.set("view", "output");
    }
    var s = p.toString();
    try { history.replaceState(null, "", s ? "#" + s : location.pathname + location.search);
  } catch (e) {}
  }
  function num(r, k) { return parseFloat(r.getAttribute("data-" + k)) || 0; }
  function applySort() {
    var key = sort.value;
    rows.slice().sort(function (a, b) {
      var d = key === "name" ? 0 : num(b, key) - num(a, key);
      return d || num(a, "order") - num(b, "order");
    }).forEach(function (r) { list.appendChild(r); });
  }
  function applyFilter() {
    var q = filter.value.trim().toLowerCase(), shown = 0;
    rows.forEach(function (r) {
      var hit = !q || r.getAttribute("data-path").toLowerCase().indexOf(q) !== -1;
      r.hidden = !hit;
      if (hit) shown++;
    });
    count.textContent = shown + " of " + rows.length + " file" + (rows.length === 1 ? "" : "s");
    none.hidden = shown !== 0;
  }
  function data(row) {
    if (!cache[row.id]) {
      var el = document.getElementById("d" + row.id.slice(1));
      cache[row.id] = el ? JSON.parse(el.textContent) : {actions: []};
    }
    return cache[row.id];
  }
  function show(row, view) {
    var d = data(row);
    if (view !== "output" || d.output == null) view = "input";
    row.querySelectorAll(".article").forEach(function (art) {
      var v = art.getAttribute("data-v");
      if (v === view && !art.hasAttribute("data-built") && d[v] != null) {
        art.innerHTML = d[v];  // built and escaped by render_html
        art.setAttribute("data-built", "");
      }
      art.hidden = v !== view;
    });
    row.setAttribute("data-view", view);
    row.querySelectorAll(".seg button").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-v") === view));
    });
  }
  function toggle(row, open, view) {
    row.classList.toggle("open", open);
    row.querySelector(".fb").hidden = !open;
    row.querySelector(".fh").setAttribute("aria-expanded", String(open));
    if (open) show(row, view || row.getAttribute("data-view"));
    syncHash();
  }
  function reveal(art, line, gap, done) {
    // Lines above may grow once laid out: scroll again until the line stays put.
    var tries = 0;
    (function go() {
      var want = Math.max(0, line.offsetTop - gap);
      if (Math.abs(art.scrollTop - want) > 1 && tries++ < 8) {
        art.scrollTop = want;
        setTimeout(go, 30);
      } else if (done) {
        done();
      }
    })();
  }
  function step(row, dir) {
    // Lines are laid out lazily (content-visibility), so positions come from the
    // line boxes (always known), never from the marks inside them.
    var art = row.querySelector(".article:not([hidden])");
    if (!art) return;
    var y = art.scrollTop + art.clientHeight / 3, target = null, i, m, t;
    var marks = art.querySelectorAll("mark,.pt,.tag,.tb");
    for (i = 0; i < marks.length; i++) {
      m = marks[i].classList.contains("ln") ? marks[i] : marks[i].parentNode;
      t = m.offsetTop;
      if (dir > 0 && t > y + 2) { target = marks[i]; break; }
      if (dir < 0 && t < y - 2) target = marks[i];
    }
    if (!target) return;
    reveal(art, target.classList.contains("ln") ? target : target.parentNode, art.clientHeight / 3);
    target.classList.remove("flash");
    void target.offsetWidth;
    target.classList.add("flash");
  }
  function across(row, el) {
    // The line on the other view that an element's first located action points to.
    var d = data(row), fromInput = el.closest(".article").getAttribute("data-v") === "input";
    var ids = el.getAttribute("data-a").split(" "), i, n;
    if (fromInput && d.output == null) return null;
    for (i = 0; i < ids.length; i++) {
      n = fromInput ? (d.output_lines || [])[+ids[i]] : (d.actions[+ids[i]] || {}).start_line;
      if (n != null) return {view: fromInput ? "output" : "input", line: n};
    }
    return null;
  }
  function jump(row, el) {
    var to = across(row, el);
    if (!to) return;
    show(row, to.view);
    syncHash();
    var art = row.querySelector(".article[data-v='" + to.view + "']");
    var ln = art.children[to.line - 1];
    if (!ln) return;
    unhot();
    reveal(art, ln, art.clientHeight / 3);
    ln.classList.remove("flash");
    void ln.offsetWidth;
    ln.classList.add("flash");
  }
  function line(cls, text) {
    var e = document.createElement("div");
    e.className = cls;
    e.textContent = text;
    return e;
  }
  function item(a) {
    var box = document.createElement("div"), head = line("tk", ""), sw = line("sw", "");
    box.className = "ti k-" + a.kind;
    head.appendChild(sw);
    head.appendChild(document.createTextNode(a.kind.replace(/_/g, " ")));
    head.appendChild(line("sc", "score " + Number(a.score).toFixed(1)));
    box.appendChild(head);
    if (a.detail) box.appendChild(line("why", a.detail));
    var where = a.start_line === a.end_line ? "input line " + a.start_line
      : "input lines " + a.start_line + "\\u2013" + a.end_line;
    if (a.matched_block != null) where += " \\u00b7 matched output block " + a.matched_block;
    box.appendChild(line("m", where));
    if (a.matched_excerpt) box.appendChild(line("mx", a.matched_excerpt));
    return box;
  }
  var hot = [];
  function unhot() {
    hot.forEach(function (e) { e.classList.remove("hot"); });
    hot = [];
    tip.hidden = true;
    tip.textContent = "";
  }
  function place(e) {
    var w = tip.offsetWidth, h = tip.offsetHeight, x = e.clientX + 14, y = e.clientY + 18;
    if (x + w > innerWidth - 8) x = Math.max(8, innerWidth - w - 8);
    if (y + h > innerHeight - 8) y = Math.max(8, (e.above == null ? e.clientY : e.above) - h - 12);
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  }
  function showTip(t, at) {
    var row = t.closest("section.file"), d = data(row), ids = t.getAttribute("data-a");
    unhot();
    ids.split(" ").forEach(function (i) {
      if (d.actions[+i]) tip.appendChild(item(d.actions[+i]));
    });
    var to = across(row, t);
    if (to) tip.appendChild(line("hint", "Click to see it in the " + to.view));
    if (t.tagName !== "DIV") {
      hot = Array.prototype.slice.call(t.closest(".article").querySelectorAll(
        "[data-a='" + ids + "']"));
      hot.forEach(function (m) { m.classList.add("hot"); });
    }
    tip.hidden = false;
    place(at);
  }
  function focusAction(row, i) {
    // #action=N: scroll the input view to action N, outline it and show its tooltip.
    show(row, "input");
    var art = row.querySelector(".article[data-v='input']");
    var sel = "[data-a~='" + i + "']";
    var el = art.querySelector("mark" + sel) || art.querySelector(sel);
    if (!el) return;
    var ln = el.classList.contains("ln") ? el : el.parentNode;
    reveal(art, ln, art.clientHeight / 3, function () {
      var rs = el.getClientRects(), r = rs[0] || el.getBoundingClientRect();
      var end = rs[rs.length - 1] || r;
      showTip(el, {clientX: r.left + Math.min(r.width, 160), clientY: end.bottom, above: r.top});
    });
  }
  document.addEventListener("mouseover", function (e) {
    var t = e.target.closest && e.target.closest(".article [data-a]");
    if (t) showTip(t, e);
    else unhot();
  });
  document.addEventListener("mousemove", function (e) { if (!tip.hidden) place(e); });
  list.addEventListener("click", function (e) {
    var row = e.target.closest("section.file");
    if (!row) return;
    if (e.target.closest(".fh")) toggle(row, !row.classList.contains("open"));
    var b = e.target.closest(".seg button");
    if (b) { show(row, b.getAttribute("data-v")); syncHash(); }
    var n = e.target.closest(".nav button");
    if (n) step(row, +n.getAttribute("data-d"));
    var hit = e.target.closest(".article [data-a]");
    if (hit) jump(row, hit);
  });
  filter.addEventListener("input", function () { applyFilter(); syncHash(); });
  sort.addEventListener("change", function () { applySort(); syncHash(); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "/" && document.activeElement !== filter) { e.preventDefault(); filter.focus(); }
  });
  function apply(scroll) {
    var p = params();
    if (p.has("filter")) filter.value = p.get("filter");
    var key = (p.get("sort") || "").replace(/\\W/g, "");
    if (key && sort.querySelector("option[value='" + key + "']")) sort.value = key;
    applySort();
    applyFilter();
    var o = p.get("open"), row = o && (document.getElementById(o) || rows.filter(function (r) {
      return r.getAttribute("data-path") === o;
    })[0]);
    if (row && row.classList.contains("file")) {
      if (row.hidden) {
        filter.value = "";
        applyFilter();
      }
      toggle(row, true, p.get("view"));
      var art = row.querySelector(".article:not([hidden])"), ln = +p.get("line");
      if (art && ln > 0 && art.children[ln - 1]) reveal(art, art.children[ln - 1], 8);
      if (/^\\d+$/.test(p.get("action") || "")) focusAction(row, p.get("action"));
      if (scroll) row.scrollIntoView({block: "start"});
    }
  }
  window.addEventListener("hashchange", function () { apply(true); });
  apply(false);
  document.documentElement.setAttribute("data-ready", "");
})();
"""
