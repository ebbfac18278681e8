// aisite search page: runs the query in the URL (?q=...&verdict=...) against the Pagefind index
// built with the site, and lists the results. The index comes in parts (a year, or a few months
// of a busy year; then standalone pages), merged into one Pagefind instance: one WebAssembly
// module and one scoring however many parts. The form is a plain GET form, so a search is a
// link that can be shared; without JavaScript the page says that search needs it.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) return;
  var FILTERS = JSON.parse(form.getAttribute("data-filters"));
  var ORDER = JSON.parse(form.getAttribute("data-verdicts"));
  var root = form.getAttribute("data-root");
  var BUNDLES = JSON.parse(form.getAttribute("data-bundles"));
  var COUNTS = JSON.parse(form.getAttribute("data-counts"));
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
    var link = el("a", "", meta.title || data.raw_url);
    link.href = href(data.raw_url);
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

  // `take(n)` resolves to the next n results (fewer at the end); `total` is how many there are.
  function show(take, total, query) {
    var shown = 0;
    // The list is aria-busy while a batch loads (assistive technology waits for the whole batch).
    function next() {
      list.setAttribute("aria-busy", "true");
      return take(PAGE).then(function (batch) {
        shown += batch.length;
        return Promise.all(batch.map(function (r) { return r.data(); }));
      }).then(function (items) {
        items.forEach(function (data) { list.appendChild(result(data)); });
      }).finally(function () {
        more.hidden = shown >= total;
        list.removeAttribute("aria-busy");
      });
    }
    // One batch at a time, in order, however fast the clicks (and after one that failed).
    var busy = next();
    more.onclick = function () { busy = busy.then(next, next); };
    // The count is announced once the first results are on the page.
    return busy.then(function () {
      var found = query ? " for “" + query + "”" : "";
      status.textContent = total === 0 ? "No results" + found + "."
        : total + (total === 1 ? " result" : " results") + found + ".";
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

  function url(bundle) {
    return new URL(root + bundle.replace(/^\/+/, ""), document.baseURI).href;
  }

  // Standalone pages have no date: a date order leaves them out. (Pagefind drops results
  // without the sort's value only in a part that has the sort at all, which theirs has not.)
  function dated(counts) {
    return BUNDLES.filter(function (b) { return counts[b] && !/\/pages\/$/.test(b); });
  }

  // Pagefind orders results from several parts by score: for a date order each part's rank,
  // which says nothing across parts. So a date order takes the parts one by one, in date order
  // (each marked by a filter of its own, `part`), and each part's results in its own order.
  function byDate(pagefind, counts, options) {
    var parts = dated(counts);
    if (options.sort.date === "asc") parts.reverse();
    var waiting = [];
    function take(n) {
      if (waiting.length >= n || parts.length === 0) return Promise.resolve(waiting.splice(0, n));
      var part = parts.shift();
      var filters = Object.assign({}, options.filters, { part: part });
      return pagefind.search(query || null, { filters: filters, sort: options.sort })
        .then(function (found) {
          waiting = waiting.concat(found.results);
          return take(n);
        });
    }
    return take;
  }

  fillFilters(COUNTS);
  if (!query && Object.keys(chosen).length === 0) {
    status.textContent = "Type a word or a name, or choose a filter, then press Search.";
    return;
  }
  status.textContent = "Searching…";
  if (BUNDLES.length === 0) {  // nothing published yet
    show(function () { return Promise.resolve([]); }, 0, query);
    return;
  }
  // import() resolves a relative path against the script's URL; the bundles' are the page's.
  import(url(BUNDLES[0]) + "pagefind.js").then(function (pagefind) {
    return pagefind.options({ mergeFilter: { part: BUNDLES[0] } }).then(function () {
      return Promise.all(BUNDLES.slice(1).map(function (bundle) {
        return pagefind.mergeIndex(url(bundle), { mergeFilter: { part: bundle } });
      }));
    }).then(function () {
      var options = { filters: chosen, sort: {} };
      if (sort) options.sort = { date: sort === "newest" ? "desc" : "asc" };
      return pagefind.search(query || null, options).then(function (found) {
        if (!sort) {
          var results = found.results;
          var take = function (n) { return Promise.resolve(results.splice(0, n)); };
          return show(take, results.length, query);
        }
        var counts = found.filters.part || {};
        var total = dated(counts).reduce(function (sum, b) { return sum + counts[b]; }, 0);
        return show(byDate(pagefind, counts, options), total, query);
      });
    });
  }).catch(function () {
    status.textContent = "Search could not load. Browse all claims or the archive instead.";
  });
})();
