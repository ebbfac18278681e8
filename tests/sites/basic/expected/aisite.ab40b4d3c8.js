// aisite: optional enhancement. Highlighted claims open a small popover with the verdict and summary.
// Without JavaScript every highlight's verdict link jumps to the claim card.
(function () {
  "use strict";
  var open = null;

  function close(restore) {
    if (!open) return;
    var trigger = open.trigger;
    open.box.remove();
    document.querySelectorAll("mark.claim.is-active").forEach(function (m) { m.classList.remove("is-active"); });
    open = null;
    if (restore && trigger) trigger.focus();
  }

  function show(id, trigger) {
    var card = document.getElementById("review-" + id);
    if (!card) return false;
    close(false);
    var badge = card.querySelector(".badge");
    var summary = card.querySelector(".claim-card-summary");
    var full = card.querySelector(".claim-card-links a");
    var box = document.createElement("div");
    box.className = "claim-popover " + (card.className.match(/verdict-[a-z0-9-]+/) || [""])[0];
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-label", "Claim review");
    var closeButton = document.createElement("button");
    closeButton.type = "button";
    closeButton.className = "claim-popover-close";
    closeButton.textContent = "×";
    closeButton.setAttribute("aria-label", "Close");
    closeButton.addEventListener("click", function () { close(true); });
    box.appendChild(closeButton);
    if (badge) { var p = document.createElement("p"); p.appendChild(badge.cloneNode(true)); box.appendChild(p); }
    if (summary) { var s = document.createElement("p"); s.textContent = summary.textContent; box.appendChild(s); }
    var links = document.createElement("p");
    if (full) {
      var a = document.createElement("a"); a.href = full.getAttribute("href"); a.textContent = "Read the full review"; links.appendChild(a);
      links.appendChild(document.createTextNode(" · "));
    }
    var cardLink = document.createElement("a"); cardLink.href = "#review-" + id; cardLink.textContent = "Go to the claim card";
    cardLink.addEventListener("click", function () { close(false); });
    links.appendChild(cardLink);
    box.appendChild(links);
    document.body.appendChild(box);
    var rect = trigger.getBoundingClientRect();
    var left = Math.min(window.scrollX + rect.left, window.scrollX + document.documentElement.clientWidth - box.offsetWidth - 8);
    box.style.left = Math.max(8, left) + "px";
    box.style.top = (window.scrollY + rect.bottom + 6) + "px";
    document.querySelectorAll('mark.claim[data-claim="' + id + '"]').forEach(function (m) { m.classList.add("is-active"); });
    open = { box: box, trigger: trigger };
    closeButton.focus();
    return true;
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    if (open && open.box.contains(target)) return;
    var flag = target.closest("a.claim-flag, mark.claim");
    if (flag && flag.closest("a:not(.claim-flag)") === null) {
      var id = flag.getAttribute("data-claim");
      var trigger = flag.matches("a") ? flag : document.querySelector('a.claim-flag[data-claim="' + id + '"]') || flag;
      if (id && show(id, trigger)) { event.preventDefault(); return; }
    }
    close(false);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && open) { event.preventDefault(); close(true); }
  });
})();
