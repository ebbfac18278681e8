// aisite search page: runs the query in the URL (?q=...&verdict=...) against the Pagefind index
// built with the site (one bundle per year, newest first, then pages), and lists the results.
// The form is a plain GET form, so a search is a link that can be shared; without JavaScript
// the page says that search needs it.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) return;
  var FILTERS = JSON.parse(form.getAttribute("data-filters"));
  var ORDER = JSON.parse(form.getAttribute("data-verdicts"));
  var root = form.getAttribute("data-root");
  var BUNDLES = JSON.parse(form.getAttribute("data-bundles"));
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var params = new URLSearchParams(window.location.search);
  var PAGE = 10;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // Pagefind's excerpt is escaped text with <mark> around the words found: keep only that.
  function excerpt(html) {
    var p = el("p", "search-excerpt");
    html.split(/(<mark>|<\/mark>)/).reduce(function (inMark, part) {
      if (part === "<mark>") return true;
      if (part === "</mark>") return false;
      var decoder = document.createElement("textarea");  // RCDATA: entities decoded, no markup
      decoder.innerHTML = part;
      var text = decoder.value;
      p.appendChild(inMark ? el("mark", "", text) : document.createTextNode(text));
      return inMark;
    }, false);
    return p;
  }

  function href(url) {
    return root + url.replace(/^\/+/, "");
  }

  function result(data) {
    var meta = data.meta || {};
    var item = el("li", "search-result");
    if (meta.verdict) {
      var badge = el("p", "search-verdict");
      var label = el("span", "badge verdict-" + meta.verdict_key);
      label.appendChild(el("span", "visually-hidden", "Verdict: "));
      label.appendChild(document.createTextNode(meta.verdict));
      badge.appendChild(label);
      item.appendChild(badge);
    }
    var title = el("h2", "search-title");
    var link = el("a", "", meta.title || data.url);
    link.href = href(data.url);
    title.appendChild(link);
    item.appendChild(title);
    var facts = [meta.kind === "claim" ? "Claim review" : meta.kind === "article" ? "Analysis" : "Page"];
    if (meta.claimant) facts.push(meta.claimant);
    if (meta.date) facts.push(meta.date);
    item.appendChild(el("p", "search-meta", facts.join(" · ")));
    item.appendChild(excerpt(data.excerpt || ""));
    return item;
  }

  function fillFilters(available) {
    FILTERS.forEach(function (name) {
      var select = document.getElementById("search-" + name);
      if (!select) return;
      var counts = available[name] || {};
      var values = Object.keys(counts);
      if (name === "verdict") values.sort(function (a, b) { return ORDER.indexOf(a) - ORDER.indexOf(b); });
      else if (name === "year") values.sort().reverse();
      else values.sort(function (a, b) { return a.localeCompare(b); });
      values.forEach(function (value) {
        var option = el("option", "", value + " (" + counts[value] + ")");
        option.value = value;
        option.selected = params.get(name) === value;
        select.appendChild(option);
      });
      select.closest(".search-filter").hidden = values.length === 0;
    });
  }

  function show(results, query) {
    var shown = 0;
    function next() {
      var batch = results.slice(shown, shown + PAGE);
      shown += batch.length;
      more.hidden = shown >= results.length;
      return Promise.all(batch.map(function (r) { return r.data(); })).then(function (items) {
        items.forEach(function (data) { list.appendChild(result(data)); });
      });
    }
    var n = results.length;
    more.onclick = function () { next(); };
    // The count is announced once the first results are on the page.
    return next().then(function () {
      status.textContent = n === 0 ? "No results" + (query ? " for “" + query + "”" : "") + "."
        : n + (n === 1 ? " result" : " results") + (query ? " for “" + query + "”" : "") + ".";
    });
  }

  // Leave unused filters out of the URL, so a shared search link stays short.
  form.addEventListener("submit", function () {
    form.querySelectorAll("select").forEach(function (s) { s.disabled = s.value === ""; });
  });
  window.addEventListener("pageshow", function () {
    form.querySelectorAll("select").forEach(function (s) { s.disabled = false; });
  });

  var query = (params.get("q") || "").trim();
  document.getElementById("search-q").value = query;
  var chosen = {};
  FILTERS.forEach(function (name) { if (params.get(name)) chosen[name] = params.get(name); });
  var sort = params.get("sort");
  sort = sort === "newest" || sort === "oldest" ? sort : "";
  document.getElementById("search-sort").value = sort;
  if (Object.keys(chosen).length || sort) form.querySelector("details").open = true;

  // Counts of every filter value, summed over the bundles.
  function mergeFilters(all) {
    var merged = {};
    all.forEach(function (filters) {
      Object.keys(filters).forEach(function (name) {
        var counts = merged[name] = merged[name] || {};
        Object.keys(filters[name]).forEach(function (value) {
          counts[value] = (counts[value] || 0) + filters[name][value];
        });
      });
    });
    return merged;
  }

  // Each bundle holds one year, so a date order is the bundles' order (newest year first)
  // with each bundle's own order; a best match is by Pagefind's score across them.
  // A date order lists the dated bundles in order (each sorts its own year) and leaves out
  // standalone pages, which have no date; a best match is by Pagefind's score across bundles
  // (each bundle weighs words by its own records, so the scores are close, not exact).
  function merge(searches, order) {
    var dated = [], pages = [];
    searches.forEach(function (s, i) {
      (/\/pages\/$/.test(BUNDLES[i]) ? pages : dated).push(s.results);
    });
    if (order === "oldest") dated.reverse();
    if (order) return [].concat.apply([], dated);
    var results = [].concat.apply([], dated.concat(pages));
    return results.sort(function (a, b) { return b.score - a.score; });
  }

  // import() resolves a relative path against the script's URL; the bundles' are the page's.
  Promise.all(BUNDLES.map(function (bundle) {
    return import(new URL(root + bundle.replace(/^\/+/, "") + "pagefind.js", document.baseURI).href);
  })).then(function (bundles) {
    return Promise.all(bundles.map(function (b) { return b.filters(); })).then(function (all) {
      fillFilters(mergeFilters(all));
      if (!query && Object.keys(chosen).length === 0) {
        status.textContent = "Type a word or a name, or choose a filter, then press Search.";
        return null;
      }
      status.textContent = "Searching…";
      var options = { filters: chosen };
      if (sort === "newest") options.sort = { date: "desc" };
      if (sort === "oldest") options.sort = { date: "asc" };
      return Promise.all(bundles.map(function (b) { return b.search(query || null, options); }))
        .then(function (searches) { return show(merge(searches, sort), query); });
    });
  }).catch(function () {
    status.textContent = "Search could not load. Browse all claims or the archive instead.";
  });
})();
