// Draws every Mermaid block of a page (<div class="diagram">, from ```mermaid fences)
// with the mermaid the site carries, into the page's own DOM: each div gets an <svg>.
// The theme's own Mermaid support is not used: it fetches mermaid from a CDN.
/* global mermaid, document$ */
(function () {
  "use strict";
  mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
  function draw() {
    return mermaid.run({ querySelector: "div.diagram" });
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(draw); // the theme's page-loaded signal
  } else {
    document.addEventListener("DOMContentLoaded", draw);
  }
})();
