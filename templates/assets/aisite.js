// aisite: optional enhancement. Selecting a highlighted claim (or the verdict label after it)
// opens a small dialog with the verdict and summary. They come only from the JSON block aisite
// writes from claims.yaml (script#aisite-claims), never from the page's markup, which an
// article's own HTML could imitate. Without JavaScript each verdict label is a plain link to its
// claim card.
(function () {
  "use strict";
  var open = null;
  var data = null;

  function claims() {
    if (data !== null) return data;
    data = Object.create(null);
    // Article HTML can never hold a script element (the sanitiser removes them whole).
    var block = document.querySelector('script[type="application/json"]#aisite-claims');
    if (!block) return data;
    try {
      JSON.parse(block.textContent).forEach(function (claim) {
        if (claim && typeof claim.id === "string" && /^[a-z0-9-]+$/.test(claim.verdict)) data[claim.id] = claim;
      });
    } catch (error) {
      data = Object.create(null);
    }
    return data;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function close(restore) {
    if (!open) return;
    var current = open;
    open = null;
    current.box.remove();
    current.trigger.setAttribute("aria-expanded", "false");
    document.querySelectorAll("mark.claim.is-active").forEach(function (m) { m.classList.remove("is-active"); });
    if (restore) current.trigger.focus();
  }

  function place(box, trigger) {
    var rect = trigger.getBoundingClientRect();
    var room = document.documentElement.clientWidth;
    var left = Math.max(8, Math.min(rect.left, room - box.offsetWidth - 8));
    box.style.left = window.scrollX + left + "px";
    box.style.top = window.scrollY + rect.bottom + 6 + "px";
  }

  function show(id, trigger) {
    var claim = claims()[id];
    if (!claim) return false;
    close(false);
    var verdict = "verdict-" + claim.verdict;
    var box = el("div", "claim-popover " + verdict);
    box.id = "popover-" + id;
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-labelledby", box.id + "-title");

    var head = el("div", "claim-popover-head");
    var title = el("p");
    title.id = box.id + "-title";
    title.appendChild(el("span", "visually-hidden", "Claim review. "));
    title.appendChild(el("span", "badge " + verdict, claim.label));
    var closeButton = el("button", "claim-popover-close", "×");
    closeButton.type = "button";
    closeButton.setAttribute("aria-label", "Close");
    closeButton.addEventListener("click", function () { close(true); });
    head.appendChild(title);
    head.appendChild(closeButton);
    box.appendChild(head);
    if (claim.summary) {
      var text = el("p", "claim-popover-summary", claim.summary);
      text.id = box.id + "-summary";
      box.setAttribute("aria-describedby", text.id);
      box.appendChild(text);
    }
    if (claim.claimant) box.appendChild(el("p", "claim-popover-by", claim.claimant));
    var links = el("p", "claim-popover-links");
    if (claim.url) {
      var a = el("a", "", "Read the full review");
      a.href = claim.url;
      links.appendChild(a);
      links.appendChild(document.createTextNode(" · "));
    }
    var cardLink = el("a", "", "Go to the claim card");
    cardLink.href = "#review-" + id;
    cardLink.addEventListener("click", function () { close(false); });
    links.appendChild(cardLink);
    box.appendChild(links);

    box.addEventListener("focusout", function (event) {
      if (open && open.box === box && event.relatedTarget && !box.contains(event.relatedTarget)) close(false);
    });
    document.body.appendChild(box);
    place(box, trigger);
    document.querySelectorAll('mark.claim[data-claim="' + id + '"]').forEach(function (m) { m.classList.add("is-active"); });
    trigger.setAttribute("aria-expanded", "true");
    open = { box: box, trigger: trigger };
    closeButton.focus();
    return true;
  }

  document.querySelectorAll("a.claim-flag").forEach(function (flag) {
    flag.setAttribute("aria-expanded", "false");
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    if (open && open.box.contains(target)) return;
    var hit = target.closest("a.claim-flag, mark.claim");
    if (hit && hit.closest("a:not(.claim-flag)") === null && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      var id = hit.getAttribute("data-claim");
      var flag = hit.matches("a") ? hit : document.querySelector('a.claim-flag[data-claim="' + id + '"]');
      if (id && flag && open && open.trigger === flag) { event.preventDefault(); close(true); return; }
      if (id && flag && show(id, flag)) { event.preventDefault(); return; }
    }
    close(false);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && open) { event.preventDefault(); close(true); }
  });
  window.addEventListener("resize", function () { if (open) place(open.box, open.trigger); });
})();
