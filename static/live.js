// Live updates over /api/events (Server-Sent Events). Pages and overlays are
// complete without this script; it only keeps them current.
// - Public pages mark their kind with data-live ("leaderboard", ...): on that
//   event the page's [data-live-region] sections are re-fetched and swapped
//   in place (same markup as the server renders, no reload).
// - Overlays (body[data-overlay]) render the event's document directly.
// - The alerts overlay shows a short card per milestone / challenge_won.
(function () {
  "use strict";
  if (!window.EventSource) return;
  var body = document.body;
  var overlay = body.getAttribute("data-overlay");
  var marker = document.querySelector("[data-live]");
  if (!overlay && !marker) return;

  function money(n) {
    var cents = Math.round(Number(n) * 100);
    var sign = cents < 0 ? "-" : "";
    cents = Math.abs(cents);
    var whole = String(Math.floor(cents / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var frac = String(cents % 100);
    return sign + "$" + whole + "." + (frac.length < 2 ? "0" + frac : frac);
  }
  function times(n) {
    return money(n).replace("$", "") + "×";
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // ---- overlays: render rows from the document ----
  var rowsWanted = parseInt(body.getAttribute("data-rows"), 10) || 5;
  function renderRows(lines) {
    var list = document.getElementById("ov-rows");
    if (!list) return;
    var before = [];
    for (var i = 0; i < list.children.length; i++) before.push(list.children[i].textContent);
    var fresh = document.createDocumentFragment();
    lines.slice(0, rowsWanted).forEach(function (line, index) {
      var li = el("li", "ov-row r" + line.rank);
      li.appendChild(el("span", "ov-rank", String(line.rank)));
      li.appendChild(el("span", "ov-name", line.name));
      li.appendChild(el("span", "ov-figure", line.figure));
      li.appendChild(el("span", "ov-detail", line.detail));
      if (before[index] !== li.textContent) li.className += " changed";
      fresh.appendChild(li);
    });
    if (!lines.length) fresh.appendChild(el("li", "ov-row ov-empty", list.getAttribute("data-empty") || ""));
    list.textContent = "";
    list.appendChild(fresh);
    var count = (parseInt(body.getAttribute("data-live-updates"), 10) || 0) + 1;
    body.setAttribute("data-live-updates", String(count));
    // One line per render: handy in OBS's browser-source console, and how
    // the browser test watches a page it cannot reload.
    console.info("fts-live " + overlay + " render " + count + ": " + (list.firstChild ? list.firstChild.textContent : ""));
  }
  function setSub(text) {
    var sub = document.getElementById("ov-sub");
    if (sub) sub.textContent = text;
  }
  function pool(doc) {
    return money(doc.prize_pool) + " prize pool";
  }
  var renderers = {
    leaderboard: function (doc) {
      setSub(pool(doc));
      renderRows(doc.entries.map(function (e) {
        return { rank: e.rank, name: e.username, figure: money(e.weighted_wagered), detail: e.prize > 0 ? money(e.prize) : "" };
      }));
    },
    multipliers: function (doc) {
      setSub(pool(doc));
      renderRows(doc.entries.map(function (e) {
        return { rank: e.rank, name: e.username, figure: times(e.multiplier), detail: e.game_title };
      }));
    },
    challenges: function (doc) {
      renderRows(doc.challenges.map(function (c) {
        return { rank: "#" + c.id, name: c.game_name, figure: "≥ " + times(c.required_multiplier), detail: money(c.prize) };
      }));
    }
  };

  // ---- alerts: one card at a time, queued ----
  var queue = [];
  var showing = false;
  function nextAlert() {
    var box = document.getElementById("ov-alerts");
    if (!box || showing || !queue.length) return;
    showing = true;
    var a = queue.shift();
    var card = el("div", "ov-alert" + (a.test ? " test" : ""));
    var brand = document.getElementById("ov-alert-brand");
    if (brand && brand.content) {
      var head = el("div", "ov-alert-brand");
      head.appendChild(brand.content.cloneNode(true));
      card.appendChild(head);
    }
    card.appendChild(el("div", "ov-alert-title", a.title));
    card.appendChild(el("div", "ov-alert-text", a.text));
    if (a.test) card.appendChild(el("div", "ov-alert-test", "TEST (dry run)"));
    box.appendChild(card);
    var shown = (parseInt(body.getAttribute("data-alerts-shown"), 10) || 0) + 1;
    body.setAttribute("data-alerts-shown", String(shown));
    console.info("fts-live alert " + shown + ": " + a.title + " " + a.text + (a.test ? " (test)" : ""));
    setTimeout(function () { card.className += " leaving"; }, 7000);
    setTimeout(function () {
      if (card.parentNode) card.parentNode.removeChild(card);
      showing = false;
      nextAlert();
    }, 8000);
  }
  function alertFrom(kind, p) {
    if (kind === "milestone") {
      return { test: p.test, title: "🏅 " + (p.tier_name || "Milestone") + " reached!", text: p.username + " was tipped " + money(p.amount) };
    }
    return {
      test: p.test,
      title: "🎰 Challenge won!",
      text: p.username + " hit " + (p.multiplier ? times(p.multiplier) + " on " : "") + (p.game_name || "the challenge") + " and won " + money(p.amount)
    };
  }

  // ---- public pages: re-fetch and swap the live regions ----
  var refetching = false;
  function refreshRegions() {
    if (refetching) return;
    refetching = true;
    // A little jitter so a thousand viewers do not all ask at once.
    setTimeout(function () {
      fetch(location.pathname, { headers: { Accept: "text/html" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          var next = new DOMParser().parseFromString(html, "text/html");
          var fresh = next.querySelectorAll("[data-live-region]");
          var old = document.querySelectorAll("[data-live-region]");
          if (fresh.length !== old.length) return;
          for (var i = 0; i < old.length; i++) {
            old[i].replaceWith(document.importNode(fresh[i], true));
          }
          var count = (parseInt(body.getAttribute("data-live-updates"), 10) || 0) + 1;
          body.setAttribute("data-live-updates", String(count));
          var top = document.querySelector("[data-live-region] .player");
          console.info("fts-live page refresh " + count + ": " + (top ? top.textContent : ""));
        })
        .catch(function () { /* the next event tries again */ })
        .then(function () { refetching = false; });
    }, Math.floor(Math.random() * 1500));
  }

  var source = new EventSource("/api/events");
  if (overlay === "alerts") {
    ["milestone", "challenge_won"].forEach(function (kind) {
      source.addEventListener(kind, function (e) {
        try { queue.push(alertFrom(kind, JSON.parse(e.data))); } catch (err) { return; }
        nextAlert();
      });
    });
  } else if (overlay && renderers[overlay]) {
    source.addEventListener(overlay, function (e) {
      try { renderers[overlay](JSON.parse(e.data)); } catch (err) { /* keep the last good rows */ }
    });
  } else if (marker) {
    var kind = marker.getAttribute("data-live");
    var first = true;
    source.addEventListener(kind, function () {
      // The first event on connect is the current document, which the page
      // already shows; only later ones are changes.
      if (first) { first = false; return; }
      refreshRegions();
    });
  }
  body.setAttribute("data-live-state", "connecting");
  source.addEventListener("open", function () { body.setAttribute("data-live-state", "open"); });
})();
